/** The body of `publish-course`: exactly the required data of `learn.course.published`, plus `event_id` and `occurred_at`. */
import { IsInt, IsNotEmpty, IsString, MaxLength, Min } from 'class-validator';
import { CommandRequestDto, MaxChars } from '../../shared';
import { PublishCourseData } from './publish-course.command';

export class PublishCourseRequestDto extends CommandRequestDto implements PublishCourseData {
  @IsInt()
  @Min(1)
  course_id!: number;

  @IsString()
  @IsNotEmpty()
  @MaxLength(MaxChars.title)
  title!: string;

  @IsInt()
  @Min(1)
  author_id!: number;
}
