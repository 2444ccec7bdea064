/** The body of `create-thread`: exactly the required data of `forum.thread.created`, plus `event_id` and `occurred_at`. */
import { CommandRequestDto, IdField, MaxChars, TextField } from '../../shared';
import { CreateThreadData } from './create-thread.command';

export class CreateThreadRequestDto extends CommandRequestDto implements CreateThreadData {
  @IdField()
  thread_id!: number;

  @TextField(MaxChars.slug)
  forum_slug!: string;

  @TextField(MaxChars.title)
  title!: string;

  @IdField()
  author_id!: number;

  @TextField(MaxChars.name)
  author_username!: string;
}
