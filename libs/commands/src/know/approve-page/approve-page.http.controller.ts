/** `POST /internal/v1/tenants/:tenant/know/approve-page` appends `know.page.approved`. */
import { Body } from '@nestjs/common';
import { CommandAccepted, CommandController, CommandEndpoint, TenantParam } from '../../shared';
import { ApprovePageHandler } from './approve-page.handler';
import { ApprovePageRequestDto } from './approve-page.request.dto';

@CommandController('know', 'approve-page')
export class ApprovePageHttpController {
  constructor(private readonly handler: ApprovePageHandler) {}

  @CommandEndpoint()
  approvePage(@TenantParam() tenant: string, @Body() body: ApprovePageRequestDto): Promise<CommandAccepted> {
    return this.handler.execute({ ...body, tenant });
  }
}
