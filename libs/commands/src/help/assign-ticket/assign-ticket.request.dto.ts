/** The body of `assign-ticket`: exactly the required data of `help.ticket.assigned`, plus `event_id` and `occurred_at`. */
import { IsIn, IsInt, Min } from 'class-validator';
import { CommandRequestDto } from '../../shared';
import { ASSIGNEE_TYPES, AssigneeType, AssignTicketData } from './assign-ticket.command';

export class AssignTicketRequestDto extends CommandRequestDto implements AssignTicketData {
  @IsInt()
  @Min(1)
  ticket_id!: number;

  @IsIn(ASSIGNEE_TYPES)
  assignee_type!: AssigneeType;

  @IsInt()
  @Min(1)
  assignee_id!: number;
}
