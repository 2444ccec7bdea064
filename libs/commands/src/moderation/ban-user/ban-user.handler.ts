/** Appends `moderation.user.banned` to the moderation topic. */
import { Injectable } from '@nestjs/common';
import { CommandHandler } from '../../shared';
import { BAN_USER_KIND, BanUserCommand } from './ban-user.command';

@Injectable()
export class BanUserHandler extends CommandHandler<BanUserCommand> {
  readonly kind = BAN_USER_KIND;
}
