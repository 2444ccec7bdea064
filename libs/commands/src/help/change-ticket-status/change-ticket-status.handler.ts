/** Appends `help.ticket.status_changed` to the help topic. */
import { Injectable } from '@nestjs/common';
import { CommandHandler } from '../../shared';
import { CHANGE_TICKET_STATUS_KIND, ChangeTicketStatusCommand } from './change-ticket-status.command';

@Injectable()
export class ChangeTicketStatusHandler extends CommandHandler<ChangeTicketStatusCommand> {
  readonly kind = CHANGE_TICKET_STATUS_KIND;
}
