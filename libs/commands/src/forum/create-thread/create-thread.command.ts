/** `forum.thread.created`: a thread was created; published as `thread.created`. */
import type { CommandEnvelope } from '../../shared';

export const CREATE_THREAD_KIND = 'forum.thread.created';

/** The required data of `forum.thread.created` (DESIGN.md §5). */
export type CreateThreadData = {
  thread_id: number;
  forum_slug: string;
  title: string;
  author_id: number;
  author_username: string;
};

export type CreateThreadCommand = CommandEnvelope & CreateThreadData;
