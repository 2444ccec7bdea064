/** `help.ticket.assigned`: a ticket was assigned to an agent or a team; published as `ticket.assigned`. */
import type { CommandEnvelope } from '../../shared';

export const ASSIGN_TICKET_KIND = 'help.ticket.assigned';

export const ASSIGNEE_TYPES = ['agent', 'team'] as const;
export type AssigneeType = (typeof ASSIGNEE_TYPES)[number];

/** The required data of `help.ticket.assigned` (DESIGN.md §5). */
export type AssignTicketData = {
  ticket_id: number;
  assignee_type: AssigneeType;
  assignee_id: number;
};

export type AssignTicketCommand = CommandEnvelope & AssignTicketData;
