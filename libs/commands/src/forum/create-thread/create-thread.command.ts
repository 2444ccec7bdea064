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

/** The event data, field by field, so nothing else of the command (tenant, ids, extras) slips in. */
export function createThreadData(command: CreateThreadData): CreateThreadData {
  return {
    thread_id: command.thread_id,
    forum_slug: command.forum_slug,
    title: command.title,
    author_id: command.author_id,
    author_username: command.author_username,
  };
}
