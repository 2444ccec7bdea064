/** The body of `update-user`: exactly the required data of `account.user.updated`, plus `event_id` and `occurred_at`. */
import { CommandRequestDto, IdField, MaxChars, TextField } from '../../shared';
import { UpdateUserData } from './update-user.command';

export class UpdateUserRequestDto extends CommandRequestDto implements UpdateUserData {
  @IdField()
  user_id!: number;

  @TextField(MaxChars.name)
  username!: string;

  @TextField(MaxChars.name)
  display_name!: string;

  @TextField(MaxChars.email)
  email!: string;
}
