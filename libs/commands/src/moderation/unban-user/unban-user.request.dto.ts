/** The body of `unban-user`: exactly the required data of `moderation.user.unbanned`, plus `event_id` and `occurred_at`. */
import { IsInt, Min } from 'class-validator';
import { CommandRequestDto } from '../../shared';
import { UnbanUserData } from './unban-user.command';

export class UnbanUserRequestDto extends CommandRequestDto implements UnbanUserData {
  @IsInt()
  @Min(1)
  user_id!: number;

  @IsInt()
  @Min(1)
  moderator_id!: number;
}
