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

/** The event data, field by field, so nothing else of the command (tenant, ids, extras) slips in. */
export function createEnrollmentData(command: CreateEnrollmentData): CreateEnrollmentData {
  return {
    enrollment_id: command.enrollment_id,
    course_id: command.course_id,
    learner_id: command.learner_id,
  };
}
