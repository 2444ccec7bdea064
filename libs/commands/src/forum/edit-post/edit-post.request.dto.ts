/** The body of `edit-post`: exactly the required data of `forum.post.edited`, plus `event_id` and `occurred_at`. */
import { CommandRequestDto, IdField, MaxChars, TextField } from '../../shared';
import { EditPostData } from './edit-post.command';

export class EditPostRequestDto extends CommandRequestDto implements EditPostData {
  @IdField()
  post_id!: number;

  @IdField()
  thread_id!: number;

  @TextField(MaxChars.slug)
  forum_slug!: string;

  @TextField(MaxChars.title)
  title!: string;

  @IdField()
  editor_id!: number;
}
