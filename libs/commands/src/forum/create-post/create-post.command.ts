/** `forum.post.created`: a post was stored; published as `post.created` (without body and ip). */
import type { CommandEnvelope } from '../../shared';

export const CREATE_POST_KIND = 'forum.post.created';

/** The required data of `forum.post.created` (DESIGN.md §5); † fields are internal and never published. */
export type CreatePostData = {
  post_id: number;
  thread_id: number;
  forum_slug: string;
  title: string;
  body: string; // †
  author_id: number;
  author_username: string;
  ip: string; // †
};

export type CreatePostCommand = CommandEnvelope & CreatePostData;

/** The event data, field by field, so nothing else of the command (tenant, ids, extras) slips in. */
export function createPostData(command: CreatePostData): CreatePostData {
  return {
    post_id: command.post_id,
    thread_id: command.thread_id,
    forum_slug: command.forum_slug,
    title: command.title,
    body: command.body,
    author_id: command.author_id,
    author_username: command.author_username,
    ip: command.ip,
  };
}
