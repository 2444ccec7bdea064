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
