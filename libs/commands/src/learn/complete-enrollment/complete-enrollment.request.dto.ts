/** The body of `complete-enrollment`: exactly the required data of `learn.enrollment.completed`, plus `event_id` and `occurred_at`. */
import { IsInt, IsNumber, Min, ValidateIf } from 'class-validator';
import { CommandRequestDto } from '../../shared';
import { CompleteEnrollmentData } from './complete-enrollment.command';

export class CompleteEnrollmentRequestDto extends CommandRequestDto implements CompleteEnrollmentData {
  @IsInt()
  @Min(1)
  enrollment_id!: number;

  @IsInt()
  @Min(1)
  course_id!: number;

  @IsInt()
  @Min(1)
  learner_id!: number;

  @ValidateIf((o: CompleteEnrollmentRequestDto) => o.score !== null)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  score!: number | null;
}
