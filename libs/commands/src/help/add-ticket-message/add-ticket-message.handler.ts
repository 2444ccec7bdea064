/** Appends `help.ticket.message_added` to the help topic. */
import { Injectable } from '@nestjs/common';
import { CommandHandler } from '../../shared';
import { ADD_TICKET_MESSAGE_KIND, AddTicketMessageCommand } from './add-ticket-message.command';

@Injectable()
export class AddTicketMessageHandler extends CommandHandler<AddTicketMessageCommand> {
  readonly kind = ADD_TICKET_MESSAGE_KIND;
}
