/** The body of `delete-post`: exactly the required data of `forum.post.deleted`, plus `event_id` and `occurred_at`. */
import { IsInt, Min } from 'class-validator';
import { CommandRequestDto } from '../../shared';
import { DeletePostData } from './delete-post.command';

export class DeletePostRequestDto extends CommandRequestDto implements DeletePostData {
  @IsInt()
  @Min(1)
  post_id!: number;

  @IsInt()
  @Min(1)
  thread_id!: number;

  @IsInt()
  @Min(1)
  deleted_by!: number;
}
