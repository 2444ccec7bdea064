/** The body of `ban-user`: exactly the required data of `moderation.user.banned`, plus `event_id` and `occurred_at`. */
import { IsInt, IsNotEmpty, IsString, MaxLength, Min, ValidateIf } from 'class-validator';
import { CommandRequestDto, IsRfc3339Time, MaxChars } from '../../shared';
import { BanUserData } from './ban-user.command';

export class BanUserRequestDto extends CommandRequestDto implements BanUserData {
  @IsInt()
  @Min(1)
  user_id!: number;

  @IsInt()
  @Min(1)
  moderator_id!: number;

  @IsString()
  @IsNotEmpty()
  @MaxLength(MaxChars.reason)
  reason!: string;

  @ValidateIf((o: BanUserRequestDto) => o.until !== null)
  @IsRfc3339Time()
  until!: string | null;
}
