/** The body of `change-ticket-status`: exactly the required data of `help.ticket.status_changed`, plus `event_id` and `occurred_at`. */
import { IsIn } from 'class-validator';
import { CommandRequestDto, IdField } from '../../shared';
import { ChangeTicketStatusData, TICKET_STATUSES, TicketStatus } from './change-ticket-status.command';

export class ChangeTicketStatusRequestDto extends CommandRequestDto implements ChangeTicketStatusData {
  @IdField()
  ticket_id!: number;

  @IsIn(TICKET_STATUSES)
  from!: TicketStatus;

  @IsIn(TICKET_STATUSES)
  to!: TicketStatus;
}
