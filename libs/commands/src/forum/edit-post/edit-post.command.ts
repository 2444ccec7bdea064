/** `forum.post.edited`: a post was edited; published as `post.edited`. */
import type { CommandEnvelope } from '../../shared';

export const EDIT_POST_KIND = 'forum.post.edited';

/** The required data of `forum.post.edited` (DESIGN.md §5). */
export type EditPostData = {
  post_id: number;
  thread_id: number;
  forum_slug: string;
  title: string;
  editor_id: number;
};

export type EditPostCommand = CommandEnvelope & EditPostData;
