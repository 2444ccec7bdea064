/** The body of `register-user`: exactly the required data of `account.user.registered`, plus `event_id` and `occurred_at`. */
import { IsInt, IsNotEmpty, IsString, MaxLength, Min } from 'class-validator';
import { CommandRequestDto, MaxChars } from '../../shared';
import { RegisterUserData } from './register-user.command';

export class RegisterUserRequestDto extends CommandRequestDto implements RegisterUserData {
  @IsInt()
  @Min(1)
  user_id!: number;

  @IsString()
  @IsNotEmpty()
  @MaxLength(MaxChars.name)
  username!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(MaxChars.email)
  email!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(MaxChars.ip)
  ip!: string;
}
