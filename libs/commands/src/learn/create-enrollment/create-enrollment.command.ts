/** `learn.enrollment.created`: a learner enrolled in a course; published as `enrollment.created`. */
import type { CommandEnvelope } from '../../shared';

export const CREATE_ENROLLMENT_KIND = 'learn.enrollment.created';

/** The required data of `learn.enrollment.created` (DESIGN.md §5). */
export type CreateEnrollmentData = {
  enrollment_id: number;
  course_id: number;
  learner_id: number;
};

export type CreateEnrollmentCommand = CommandEnvelope & CreateEnrollmentData;
