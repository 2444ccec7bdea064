/** `POST /internal/v1/tenants/:tenant/help/add-ticket-message` appends `help.ticket.message_added`. */
import { Body } from '@nestjs/common';
import { CommandAccepted, CommandController, CommandEndpoint, TenantParam } from '../../shared';
import { AddTicketMessageHandler } from './add-ticket-message.handler';
import { AddTicketMessageRequestDto } from './add-ticket-message.request.dto';

@CommandController('help', 'add-ticket-message')
export class AddTicketMessageHttpController {
  constructor(private readonly handler: AddTicketMessageHandler) {}

  @CommandEndpoint()
  addTicketMessage(
    @TenantParam() tenant: string,
    @Body() body: AddTicketMessageRequestDto,
  ): Promise<CommandAccepted> {
    return this.handler.execute({ ...body, tenant });
  }
}
