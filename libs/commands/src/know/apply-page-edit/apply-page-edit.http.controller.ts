/** `POST /internal/v1/tenants/:tenant/know/apply-page-edit` appends `know.page.edit_applied`. */
import { Body } from '@nestjs/common';
import { CommandAccepted, CommandController, CommandEndpoint, TenantParam } from '../../shared';
import { ApplyPageEditHandler } from './apply-page-edit.handler';
import { ApplyPageEditRequestDto } from './apply-page-edit.request.dto';

@CommandController('know', 'apply-page-edit')
export class ApplyPageEditHttpController {
  constructor(private readonly handler: ApplyPageEditHandler) {}

  @CommandEndpoint()
  applyPageEdit(
    @TenantParam() tenant: string,
    @Body() body: ApplyPageEditRequestDto,
  ): Promise<CommandAccepted> {
    return this.handler.execute({ ...body, tenant });
  }
}
