/** The body of `create-enrollment`: exactly the required data of `learn.enrollment.created`, plus `event_id` and `occurred_at`. */
import { IsInt, Min } from 'class-validator';
import { CommandRequestDto } from '../../shared';
import { CreateEnrollmentData } from './create-enrollment.command';

export class CreateEnrollmentRequestDto extends CommandRequestDto implements CreateEnrollmentData {
  @IsInt()
  @Min(1)
  enrollment_id!: number;

  @IsInt()
  @Min(1)
  course_id!: number;

  @IsInt()
  @Min(1)
  learner_id!: number;
}
