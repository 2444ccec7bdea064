/** `learn.enrollment.completed`: a learner completed a course, with a score or `null`; published as `enrollment.completed`. */
import type { CommandEnvelope } from '../../shared';

export const COMPLETE_ENROLLMENT_KIND = 'learn.enrollment.completed';

/** The required data of `learn.enrollment.completed` (DESIGN.md §5). */
export type CompleteEnrollmentData = {
  enrollment_id: number;
  course_id: number;
  learner_id: number;
  score: number | null;
};

export type CompleteEnrollmentCommand = CommandEnvelope & CompleteEnrollmentData;
