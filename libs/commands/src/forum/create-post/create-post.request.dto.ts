/** The body of `create-post`: exactly the required data of `forum.post.created`, plus `event_id` and `occurred_at`. */
import { CommandRequestDto, IdField, MaxChars, TextField } from '../../shared';
import { CreatePostData } from './create-post.command';

export class CreatePostRequestDto extends CommandRequestDto implements CreatePostData {
  @IdField()
  post_id!: number;

  @IdField()
  thread_id!: number;

  @TextField(MaxChars.slug)
  forum_slug!: string;

  @TextField(MaxChars.title)
  title!: string;

  @TextField(MaxChars.body)
  body!: string;

  @IdField()
  author_id!: number;

  @TextField(MaxChars.name)
  author_username!: string;

  @TextField(MaxChars.ip)
  ip!: string;
}
