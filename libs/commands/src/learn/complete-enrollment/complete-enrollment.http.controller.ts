/** `POST /internal/v1/tenants/:tenant/learn/complete-enrollment` appends `learn.enrollment.completed`. */
import { Body } from '@nestjs/common';
import { CommandAccepted, CommandController, CommandEndpoint, TenantParam } from '../../shared';
import { CompleteEnrollmentHandler } from './complete-enrollment.handler';
import { CompleteEnrollmentRequestDto } from './complete-enrollment.request.dto';

@CommandController('learn', 'complete-enrollment')
export class CompleteEnrollmentHttpController {
  constructor(private readonly handler: CompleteEnrollmentHandler) {}

  @CommandEndpoint()
  completeEnrollment(
    @TenantParam() tenant: string,
    @Body() body: CompleteEnrollmentRequestDto,
  ): Promise<CommandAccepted> {
    return this.handler.execute({ ...body, tenant });
  }
}
