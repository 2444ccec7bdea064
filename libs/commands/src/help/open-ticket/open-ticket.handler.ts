/** Appends `help.ticket.opened` to the help topic. */
import { Injectable } from '@nestjs/common';
import { CommandHandler } from '../../shared';
import { OPEN_TICKET_KIND, OpenTicketCommand } from './open-ticket.command';

@Injectable()
export class OpenTicketHandler extends CommandHandler<OpenTicketCommand> {
  readonly kind = OPEN_TICKET_KIND;
}
