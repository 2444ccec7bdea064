/** The body of `publish-course`: exactly the required data of `learn.course.published`, plus `event_id` and `occurred_at`. */
import { CommandRequestDto, IdField, MaxChars, TextField } from '../../shared';
import { PublishCourseData } from './publish-course.command';

export class PublishCourseRequestDto extends CommandRequestDto implements PublishCourseData {
  @IdField()
  course_id!: number;

  @TextField(MaxChars.title)
  title!: string;

  @IdField()
  author_id!: number;
}
