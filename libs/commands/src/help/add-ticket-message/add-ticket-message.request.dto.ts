/** The body of `add-ticket-message`: exactly the required data of `help.ticket.message_added`, plus `event_id` and `occurred_at`. */
import { IsIn } from 'class-validator';
import { CommandRequestDto, IdField, MaxChars, TextField } from '../../shared';
import { AddTicketMessageData, AUTHOR_ROLES, AuthorRole } from './add-ticket-message.command';

export class AddTicketMessageRequestDto extends CommandRequestDto implements AddTicketMessageData {
  @IdField()
  ticket_id!: number;

  @IdField()
  message_id!: number;

  @IdField()
  author_id!: number;

  @IsIn(AUTHOR_ROLES)
  author_role!: AuthorRole;

  @TextField(MaxChars.body)
  body!: string;
}
