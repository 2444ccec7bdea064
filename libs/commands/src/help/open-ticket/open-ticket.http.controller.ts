/** `POST /internal/v1/tenants/:tenant/help/open-ticket` appends `help.ticket.opened`. */
import { Body } from '@nestjs/common';
import { CommandAccepted, CommandController, CommandEndpoint, TenantParam } from '../../shared';
import { OpenTicketHandler } from './open-ticket.handler';
import { OpenTicketRequestDto } from './open-ticket.request.dto';

@CommandController('help', 'open-ticket')
export class OpenTicketHttpController {
  constructor(private readonly handler: OpenTicketHandler) {}

  @CommandEndpoint()
  openTicket(@TenantParam() tenant: string, @Body() body: OpenTicketRequestDto): Promise<CommandAccepted> {
    return this.handler.execute({ ...body, tenant });
  }
}
