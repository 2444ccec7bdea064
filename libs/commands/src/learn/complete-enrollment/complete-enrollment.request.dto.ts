/** The body of `complete-enrollment`: exactly the required data of `learn.enrollment.completed`, plus `event_id` and `occurred_at`. */
import { IsNumber, ValidateIf } from 'class-validator';
import { CommandRequestDto, IdField } from '../../shared';
import { CompleteEnrollmentData } from './complete-enrollment.command';

export class CompleteEnrollmentRequestDto extends CommandRequestDto implements CompleteEnrollmentData {
  @IdField()
  enrollment_id!: number;

  @IdField()
  course_id!: number;

  @IdField()
  learner_id!: number;

  @ValidateIf((o: CompleteEnrollmentRequestDto) => o.score !== null)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  score!: number | null;
}
