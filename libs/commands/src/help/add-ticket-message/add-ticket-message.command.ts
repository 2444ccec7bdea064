/** `help.ticket.message_added`: an agent or the requester replied on a ticket; published as `ticket.replied` (without the body). */
import type { CommandEnvelope } from '../../shared';

export const ADD_TICKET_MESSAGE_KIND = 'help.ticket.message_added';

export const AUTHOR_ROLES = ['agent', 'requester'] as const;
export type AuthorRole = (typeof AUTHOR_ROLES)[number];

/** The required data of `help.ticket.message_added` (DESIGN.md §5); † fields are internal and never published. */
export type AddTicketMessageData = {
  ticket_id: number;
  message_id: number;
  author_id: number;
  author_role: AuthorRole;
  body: string; // †
};

export type AddTicketMessageCommand = CommandEnvelope & AddTicketMessageData;
