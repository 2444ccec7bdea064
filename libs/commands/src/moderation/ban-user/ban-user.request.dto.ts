/** The body of `ban-user`: exactly the required data of `moderation.user.banned`, plus `event_id` and `occurred_at`. */
import { ValidateIf } from 'class-validator';
import { IsRfc3339Time } from '@herald/platform';
import { CommandRequestDto, IdField, MaxChars, TextField } from '../../shared';
import { BanUserData } from './ban-user.command';

export class BanUserRequestDto extends CommandRequestDto implements BanUserData {
  @IdField()
  user_id!: number;

  @IdField()
  moderator_id!: number;

  @TextField(MaxChars.reason)
  reason!: string;

  @ValidateIf((o: BanUserRequestDto) => o.until !== null)
  @IsRfc3339Time()
  until!: string | null;
}
