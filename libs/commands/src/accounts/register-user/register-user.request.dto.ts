/** The body of `register-user`: exactly the required data of `account.user.registered`, plus `event_id` and `occurred_at`. */
import { CommandRequestDto, IdField, MaxChars, TextField } from '../../shared';
import { RegisterUserData } from './register-user.command';

export class RegisterUserRequestDto extends CommandRequestDto implements RegisterUserData {
  @IdField()
  user_id!: number;

  @TextField(MaxChars.name)
  username!: string;

  @TextField(MaxChars.email)
  email!: string;

  @TextField(MaxChars.ip)
  ip!: string;
}
