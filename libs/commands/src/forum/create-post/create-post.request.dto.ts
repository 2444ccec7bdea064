/** The body of `create-post`: exactly the required data of `forum.post.created`, plus `event_id` and `occurred_at`. */
import { IsInt, IsNotEmpty, IsString, MaxLength, Min } from 'class-validator';
import { CommandRequestDto, MaxChars } from '../../shared';
import { CreatePostData } from './create-post.command';

export class CreatePostRequestDto extends CommandRequestDto implements CreatePostData {
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

  @IsString()
  @IsNotEmpty()
  @MaxLength(MaxChars.body)
  body!: string;

  @IsInt()
  @Min(1)
  author_id!: number;

  @IsString()
  @IsNotEmpty()
  @MaxLength(MaxChars.name)
  author_username!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(MaxChars.ip)
  ip!: string;
}
