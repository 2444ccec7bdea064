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

/** The event data, field by field, so nothing else of the command (tenant, ids, extras) slips in. */
export function editPostData(command: EditPostData): EditPostData {
  return {
    post_id: command.post_id,
    thread_id: command.thread_id,
    forum_slug: command.forum_slug,
    title: command.title,
    editor_id: command.editor_id,
  };
}
