/** `help.ticket.opened`: a help desk ticket was opened; published as `ticket.created` (without the email). */
import type { CommandEnvelope } from '../../shared';

export const OPEN_TICKET_KIND = 'help.ticket.opened';

/** The required data of `help.ticket.opened` (DESIGN.md §5); † fields are internal and never published. */
export type OpenTicketData = {
  ticket_id: number;
  subject: string;
  requester_id: number;
  requester_email: string; // †
};

export type OpenTicketCommand = CommandEnvelope & OpenTicketData;
