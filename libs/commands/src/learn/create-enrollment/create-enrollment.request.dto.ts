/** The body of `create-enrollment`: exactly the required data of `learn.enrollment.created`, plus `event_id` and `occurred_at`. */
import { CommandRequestDto, IdField } from '../../shared';
import { CreateEnrollmentData } from './create-enrollment.command';

export class CreateEnrollmentRequestDto extends CommandRequestDto implements CreateEnrollmentData {
  @IdField()
  enrollment_id!: number;

  @IdField()
  course_id!: number;

  @IdField()
  learner_id!: number;
}
