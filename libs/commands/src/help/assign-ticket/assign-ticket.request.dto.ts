/** The body of `assign-ticket`: exactly the required data of `help.ticket.assigned`, plus `event_id` and `occurred_at`. */
import { IsIn } from 'class-validator';
import { CommandRequestDto, IdField } from '../../shared';
import { ASSIGNEE_TYPES, AssigneeType, AssignTicketData } from './assign-ticket.command';

export class AssignTicketRequestDto extends CommandRequestDto implements AssignTicketData {
  @IdField()
  ticket_id!: number;

  @IsIn(ASSIGNEE_TYPES)
  assignee_type!: AssigneeType;

  @IdField()
  assignee_id!: number;
}
