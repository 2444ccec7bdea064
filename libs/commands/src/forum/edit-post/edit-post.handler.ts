/** Appends `forum.post.edited` to the forum topic. */
import { Injectable } from '@nestjs/common';
import { CommandHandler } from '../../shared';
import { EDIT_POST_KIND, EditPostCommand } from './edit-post.command';

@Injectable()
export class EditPostHandler extends CommandHandler<EditPostCommand> {
  readonly kind = EDIT_POST_KIND;
}
