/** Appends `help.ticket.assigned` to the help topic. */
import { Injectable } from '@nestjs/common';
import { CommandHandler } from '../../shared';
import { ASSIGN_TICKET_KIND, AssignTicketCommand } from './assign-ticket.command';

@Injectable()
export class AssignTicketHandler extends CommandHandler<AssignTicketCommand> {
  readonly kind = ASSIGN_TICKET_KIND;
}
