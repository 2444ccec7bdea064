/** `forum.post.deleted`: a post was deleted; published as `post.deleted`. */
import type { CommandEnvelope } from '../../shared';

export const DELETE_POST_KIND = 'forum.post.deleted';

/** The required data of `forum.post.deleted` (DESIGN.md §5). */
export type DeletePostData = {
  post_id: number;
  thread_id: number;
  deleted_by: number;
};

export type DeletePostCommand = CommandEnvelope & DeletePostData;
