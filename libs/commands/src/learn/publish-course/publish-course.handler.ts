/** Appends `learn.course.published` to the learn topic. */
import { Injectable } from '@nestjs/common';
import { CommandHandler } from '../../shared';
import { PUBLISH_COURSE_KIND, PublishCourseCommand } from './publish-course.command';

@Injectable()
export class PublishCourseHandler extends CommandHandler<PublishCourseCommand> {
  readonly kind = PUBLISH_COURSE_KIND;
}
