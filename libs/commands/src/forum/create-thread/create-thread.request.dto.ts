/** The body of `create-thread`: exactly the required data of `forum.thread.created`, plus `event_id` and `occurred_at`. */
import { IsInt, IsNotEmpty, IsString, MaxLength, Min } from 'class-validator';
import { CommandRequestDto, MaxChars } from '../../shared';
import { CreateThreadData } from './create-thread.command';

export class CreateThreadRequestDto extends CommandRequestDto implements CreateThreadData {
  @IsInt()
  @Min(1)
  thread_id!: number;

  @IsString()
  @IsNotEmpty()
  @MaxLength(MaxChars.slug)
  forum_slug!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(MaxChars.title)
  title!: string;

  @IsInt()
  @Min(1)
  author_id!: number;

  @IsString()
  @IsNotEmpty()
  @MaxLength(MaxChars.name)
  author_username!: string;
}
