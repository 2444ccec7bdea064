/** A `posts` row as the public item (see PostResponseDto for the field formats). */
import type { PostRow as StoredPostRow } from '../../projector/posts.projection';
import { publicTime } from '../../projector/subject-rows';
import type { PostResponseDto } from './post.response.dto';
import type { SubjectTable } from './subject-table';

/** A stored row as read back for its tenant: the tenant column is implied. */
export type PostRow = Omit<StoredPostRow, 'tenant'>;

export const postColumns = (p: string): string =>
  `${p}.id::text AS id, ${p}.thread_id::text AS thread_id, ${p}.forum_slug, ${p}.title,
   ${p}.author_id::text AS author_id, ${p}.author_username,
   ${publicTime(`${p}.created_at`)} AS created_at, ${publicTime(`${p}.updated_at`)} AS updated_at, ${p}.deleted`;

export function postItem(r: PostRow): PostResponseDto {
  return {
    id: Number(r.id),
    thread_id: r.thread_id === null ? null : Number(r.thread_id),
    forum_slug: r.forum_slug,
    title: r.title,
    author: r.author_id === null ? null : { id: Number(r.author_id), username: r.author_username },
    created_at: r.created_at,
    updated_at: r.updated_at,
    deleted: r.deleted,
  };
}

/** The `posts` read model as a public list. */
export const POSTS: SubjectTable<PostRow, PostResponseDto> = {
  route: 'GET /api/v1/posts',
  table: 'posts',
  columns: postColumns,
  itemOf: postItem,
};
