/** The body of `open-ticket`: exactly the required data of `help.ticket.opened`, plus `event_id` and `occurred_at`. */
import { CommandRequestDto, IdField, MaxChars, TextField } from '../../shared';
import { OpenTicketData } from './open-ticket.command';

export class OpenTicketRequestDto extends CommandRequestDto implements OpenTicketData {
  @IdField()
  ticket_id!: number;

  @TextField(MaxChars.title)
  subject!: string;

  @IdField()
  requester_id!: number;

  @TextField(MaxChars.email)
  requester_email!: string;
}
