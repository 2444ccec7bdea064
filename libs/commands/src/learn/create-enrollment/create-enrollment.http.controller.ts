/** `POST /internal/v1/tenants/:tenant/learn/create-enrollment` appends `learn.enrollment.created`. */
import { Body } from '@nestjs/common';
import { CommandAccepted, CommandController, CommandEndpoint, TenantParam } from '../../shared';
import { CreateEnrollmentHandler } from './create-enrollment.handler';
import { CreateEnrollmentRequestDto } from './create-enrollment.request.dto';

@CommandController('learn', 'create-enrollment')
export class CreateEnrollmentHttpController {
  constructor(private readonly handler: CreateEnrollmentHandler) {}

  @CommandEndpoint()
  createEnrollment(
    @TenantParam() tenant: string,
    @Body() body: CreateEnrollmentRequestDto,
  ): Promise<CommandAccepted> {
    return this.handler.execute({ ...body, tenant });
  }
}
