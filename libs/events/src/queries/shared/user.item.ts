/** A `users` row as the public item (see UserResponseDto for the field formats). */
import type { UserRow as StoredUserRow } from '../../projector/users.projection';
import { publicTime } from '../../projector/subject-rows';
import type { SubjectTable } from './subject-table';
import type { UserResponseDto } from './user.response.dto';

/** A permanent ban (stored as infinity) as the last instant RFC 3339 can write. */
export const PERMANENT_BAN_UNTIL = '9999-12-31T23:59:59.999999Z';

/** A stored row as read back for its tenant: the tenant column is implied. */
export type UserRow = Omit<StoredUserRow, 'tenant'>;

export const userColumns = (u: string): string =>
  `${u}.id::text AS id, ${u}.username, ${u}.display_name, ${publicTime(`${u}.joined_at`)} AS joined_at,
   CASE WHEN ${u}.banned_until = 'infinity' THEN '${PERMANENT_BAN_UNTIL}'
        ELSE ${publicTime(`${u}.banned_until`)} END AS banned_until,
   ${publicTime(`${u}.updated_at`)} AS updated_at`;

export function userItem(r: UserRow): UserResponseDto {
  return {
    id: Number(r.id),
    username: r.username,
    display_name: r.display_name,
    joined_at: r.joined_at,
    banned_until: r.banned_until,
    updated_at: r.updated_at,
  };
}

/** The `users` read model as a public list. */
export const USERS: SubjectTable<UserRow, UserResponseDto> = {
  route: 'GET /api/v1/users',
  table: 'users',
  columns: userColumns,
  itemOf: userItem,
};
