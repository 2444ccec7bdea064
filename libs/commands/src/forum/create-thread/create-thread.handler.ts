/** Appends `forum.thread.created` to the forum topic. */
import { Injectable } from '@nestjs/common';
import { CommandHandler } from '../../shared';
import { CREATE_THREAD_KIND, CreateThreadCommand } from './create-thread.command';

@Injectable()
export class CreateThreadHandler extends CommandHandler<CreateThreadCommand> {
  readonly kind = CREATE_THREAD_KIND;
}
