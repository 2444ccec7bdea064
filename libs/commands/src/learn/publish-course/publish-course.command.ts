/** `learn.course.published`: a course was published; only its first publication becomes `course.published`. */
import type { CommandEnvelope } from '../../shared';

export const PUBLISH_COURSE_KIND = 'learn.course.published';

/** The required data of `learn.course.published` (DESIGN.md §5). */
export type PublishCourseData = {
  course_id: number;
  title: string;
  author_id: number;
};

export type PublishCourseCommand = CommandEnvelope & PublishCourseData;
