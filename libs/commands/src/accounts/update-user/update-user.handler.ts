/** Appends `account.user.updated` to the account topic. */
import { Injectable } from '@nestjs/common';
import { CommandHandler } from '../../shared';
import { UPDATE_USER_KIND, UpdateUserCommand } from './update-user.command';

@Injectable()
export class UpdateUserHandler extends CommandHandler<UpdateUserCommand> {
  readonly kind = UPDATE_USER_KIND;
}
