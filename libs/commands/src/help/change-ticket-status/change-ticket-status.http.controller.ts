/** `POST /internal/v1/tenants/:tenant/help/change-ticket-status` appends `help.ticket.status_changed`. */
import { Body } from '@nestjs/common';
import { CommandAccepted, CommandController, CommandEndpoint, TenantParam } from '../../shared';
import { ChangeTicketStatusHandler } from './change-ticket-status.handler';
import { ChangeTicketStatusRequestDto } from './change-ticket-status.request.dto';

@CommandController('help', 'change-ticket-status')
export class ChangeTicketStatusHttpController {
  constructor(private readonly handler: ChangeTicketStatusHandler) {}

  @CommandEndpoint()
  changeTicketStatus(
    @TenantParam() tenant: string,
    @Body() body: ChangeTicketStatusRequestDto,
  ): Promise<CommandAccepted> {
    return this.handler.execute({ ...body, tenant });
  }
}
