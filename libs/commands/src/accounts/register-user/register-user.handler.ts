/** Appends `account.user.registered` to the account topic. */
import { Injectable } from '@nestjs/common';
import { CommandHandler } from '../../shared';
import { REGISTER_USER_KIND, RegisterUserCommand } from './register-user.command';

@Injectable()
export class RegisterUserHandler extends CommandHandler<RegisterUserCommand> {
  readonly kind = REGISTER_USER_KIND;
}
