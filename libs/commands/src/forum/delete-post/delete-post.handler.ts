/** Appends `forum.post.deleted` to the forum topic. */
import { Injectable } from '@nestjs/common';
import { CommandHandler } from '../../shared';
import { DELETE_POST_KIND, DeletePostCommand } from './delete-post.command';

@Injectable()
export class DeletePostHandler extends CommandHandler<DeletePostCommand> {
  readonly kind = DELETE_POST_KIND;
}
