/** `POST /internal/v1/tenants/:tenant/help/assign-ticket` appends `help.ticket.assigned`. */
import { Body } from '@nestjs/common';
import { CommandAccepted, CommandController, CommandEndpoint, TenantParam } from '../../shared';
import { AssignTicketHandler } from './assign-ticket.handler';
import { AssignTicketRequestDto } from './assign-ticket.request.dto';

@CommandController('help', 'assign-ticket')
export class AssignTicketHttpController {
  constructor(private readonly handler: AssignTicketHandler) {}

  @CommandEndpoint()
  assignTicket(
    @TenantParam() tenant: string,
    @Body() body: AssignTicketRequestDto,
  ): Promise<CommandAccepted> {
    return this.handler.execute({ ...body, tenant });
  }
}
