/** `help.ticket.status_changed`: a ticket moved from one status to another; published as `ticket.status_changed`. */
import type { CommandEnvelope } from '../../shared';

export const CHANGE_TICKET_STATUS_KIND = 'help.ticket.status_changed';

export const TICKET_STATUSES = ['open', 'pending', 'resolved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

/** The required data of `help.ticket.status_changed` (DESIGN.md §5). */
export type ChangeTicketStatusData = {
  ticket_id: number;
  from: TicketStatus;
  to: TicketStatus;
};

export type ChangeTicketStatusCommand = CommandEnvelope & ChangeTicketStatusData;
