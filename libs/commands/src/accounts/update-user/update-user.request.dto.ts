/** The body of `update-user`: exactly the required data of `account.user.updated`, plus `event_id` and `occurred_at`. */
import { IsInt, IsNotEmpty, IsString, MaxLength, Min } from 'class-validator';
import { CommandRequestDto, MaxChars } from '../../shared';
import { UpdateUserData } from './update-user.command';

export class UpdateUserRequestDto extends CommandRequestDto implements UpdateUserData {
  @IsInt()
  @Min(1)
  user_id!: number;

  @IsString()
  @IsNotEmpty()
  @MaxLength(MaxChars.name)
  username!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(MaxChars.name)
  display_name!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(MaxChars.email)
  email!: string;
}
