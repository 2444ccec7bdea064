/** Appends `learn.enrollment.completed` to the learn topic. */
import { Injectable } from '@nestjs/common';
import { CommandHandler } from '../../shared';
import { COMPLETE_ENROLLMENT_KIND, CompleteEnrollmentCommand } from './complete-enrollment.command';

@Injectable()
export class CompleteEnrollmentHandler extends CommandHandler<CompleteEnrollmentCommand> {
  readonly kind = COMPLETE_ENROLLMENT_KIND;
}
