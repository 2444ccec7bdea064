/** Appends `learn.enrollment.created` to the learn topic. */
import { Injectable } from '@nestjs/common';
import { CommandHandler } from '../../shared';
import { CREATE_ENROLLMENT_KIND, CreateEnrollmentCommand } from './create-enrollment.command';

@Injectable()
export class CreateEnrollmentHandler extends CommandHandler<CreateEnrollmentCommand> {
  readonly kind = CREATE_ENROLLMENT_KIND;
}
