/** Appends `forum.post.created` to the forum topic. */
import { Injectable } from '@nestjs/common';
import { CommandHandler } from '../../shared';
import { CREATE_POST_KIND, CreatePostCommand } from './create-post.command';

@Injectable()
export class CreatePostHandler extends CommandHandler<CreatePostCommand> {
  readonly kind = CREATE_POST_KIND;
}
