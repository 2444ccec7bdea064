/** The body of `add-ticket-message`: exactly the required data of `help.ticket.message_added`, plus `event_id` and `occurred_at`. */
import { IsIn, IsInt, IsNotEmpty, IsString, MaxLength, Min } from 'class-validator';
import { CommandRequestDto, MaxChars } from '../../shared';
import { AddTicketMessageData, AUTHOR_ROLES, AuthorRole } from './add-ticket-message.command';

export class AddTicketMessageRequestDto extends CommandRequestDto implements AddTicketMessageData {
  @IsInt()
  @Min(1)
  ticket_id!: number;

  @IsInt()
  @Min(1)
  message_id!: number;

  @IsInt()
  @Min(1)
  author_id!: number;

  @IsIn(AUTHOR_ROLES)
  author_role!: AuthorRole;

  @IsString()
  @IsNotEmpty()
  @MaxLength(MaxChars.body)
  body!: string;
}
