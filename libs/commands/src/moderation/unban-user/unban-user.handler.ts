/** Appends `moderation.user.unbanned` to the moderation topic. */
import { Injectable } from '@nestjs/common';
import { CommandHandler } from '../../shared';
import { UNBAN_USER_KIND, UnbanUserCommand } from './unban-user.command';

@Injectable()
export class UnbanUserHandler extends CommandHandler<UnbanUserCommand> {
  readonly kind = UNBAN_USER_KIND;
}
