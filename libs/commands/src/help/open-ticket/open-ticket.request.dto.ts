/** The body of `open-ticket`: exactly the required data of `help.ticket.opened`, plus `event_id` and `occurred_at`. */
import { IsInt, IsNotEmpty, IsString, MaxLength, Min } from 'class-validator';
import { CommandRequestDto, MaxChars } from '../../shared';
import { OpenTicketData } from './open-ticket.command';

export class OpenTicketRequestDto extends CommandRequestDto implements OpenTicketData {
  @IsInt()
  @Min(1)
  ticket_id!: number;

  @IsString()
  @IsNotEmpty()
  @MaxLength(MaxChars.title)
  subject!: string;

  @IsInt()
  @Min(1)
  requester_id!: number;

  @IsString()
  @IsNotEmpty()
  @MaxLength(MaxChars.email)
  requester_email!: string;
}
