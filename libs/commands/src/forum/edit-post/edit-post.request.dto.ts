/** The body of `edit-post`: exactly the required data of `forum.post.edited`, plus `event_id` and `occurred_at`. */
import { IsInt, IsNotEmpty, IsString, MaxLength, Min } from 'class-validator';
import { CommandRequestDto, MaxChars } from '../../shared';
import { EditPostData } from './edit-post.command';

export class EditPostRequestDto extends CommandRequestDto implements EditPostData {
  @IsInt()
  @Min(1)
  post_id!: number;

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
  editor_id!: number;
}
