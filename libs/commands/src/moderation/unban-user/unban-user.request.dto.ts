/** The body of `unban-user`: exactly the required data of `moderation.user.unbanned`, plus `event_id` and `occurred_at`. */
import { CommandRequestDto, IdField } from '../../shared';
import { UnbanUserData } from './unban-user.command';

export class UnbanUserRequestDto extends CommandRequestDto implements UnbanUserData {
  @IdField()
  user_id!: number;

  @IdField()
  moderator_id!: number;
}
