/** The body of `delete-post`: exactly the required data of `forum.post.deleted`, plus `event_id` and `occurred_at`. */
import { CommandRequestDto, IdField } from '../../shared';
import { DeletePostData } from './delete-post.command';

export class DeletePostRequestDto extends CommandRequestDto implements DeletePostData {
  @IdField()
  post_id!: number;

  @IdField()
  thread_id!: number;

  @IdField()
  deleted_by!: number;
}
