/**
 * The `users` read model: {id, username, display_name, joined_at, banned_until, updated_at}.
 * A batch is folded in memory per user (events of one user are ordered on one
 * partition), then written with one read and one multi-row insert (new users) and/or
 * upsert (users already stored).
 */
import { scalarText } from '@herald/contracts';
import type { EntityManager } from 'typeorm';
import { queryPrepared, type PublicRecord } from '@herald/platform';
import type { Projection } from './projection';
import { foldPerSubject, foldedRowsWriter, obj, publicTime, rowsOfKeys, SubjectKey } from './subject-rows';

/** A `users` row as stored (times as RFC 3339 text, ids as text). */
export interface UserRow {
  tenant: string;
  id: string;
  username: string | null;
  display_name: string | null;
  joined_at: string | null;
  banned_until: string | null;
  updated_at: string;
}

/** A permanent ban (until = null) is stored as infinity. */
export const PERMANENT_BAN = 'infinity';

export function applyUserEvent(row: UserRow | undefined, r: PublicRecord): UserRow | undefined {
  const d = r.event.data;
  const user = obj(d.user);
  const id = scalarText(user.id);
  if (!id) return row;
  // Written out rather than spread from a default (see applyPostEvent).
  const next: UserRow = row
    ? { ...row, updated_at: r.event.created_at }
    : {
        tenant: r.tenant,
        id,
        username: null,
        display_name: null,
        joined_at: null,
        banned_until: null,
        updated_at: r.event.created_at,
      };
  switch (r.event.type) {
    case 'user.joined':
      next.username = String(user.username);
      next.joined_at = r.event.created_at;
      return next;
    case 'user.updated':
      next.username = String(user.username);
      next.display_name = String(user.display_name);
      return next;
    case 'moderation.user_banned':
      next.banned_until = typeof d.until === 'string' ? d.until : PERMANENT_BAN;
      return next;
    case 'moderation.user_unbanned':
      next.banned_until = null;
      return next;
    default:
      return row;
  }
}

const writeUsers = foldedRowsWriter<UserRow>('users', [
  ['tenant', 'text'],
  ['id', 'bigint'],
  ['username', 'text'],
  ['display_name', 'text'],
  ['joined_at', 'timestamptz'],
  ['banned_until', 'timestamptz'],
  ['updated_at', 'timestamptz'],
]);

const TYPES = new Set(['user.joined', 'user.updated', 'moderation.user_banned', 'moderation.user_unbanned']);

export class UsersProjection implements Projection {
  readonly name = 'users' as const;
  readonly tables = ['users'];

  async apply(em: EntityManager, records: PublicRecord[]): Promise<void> {
    const out = await foldPerSubject<UserRow>(
      records.filter((r) => TYPES.has(r.event.type)),
      (r) => scalarText(obj(r.event.data.user).id),
      (keys: SubjectKey[]) =>
        queryPrepared(
          em,
          `SELECT u.tenant, u.id::text AS id, u.username, u.display_name,
                  ${publicTime('u.joined_at')} AS joined_at,
                  CASE WHEN u.banned_until = 'infinity' THEN 'infinity' ELSE ${publicTime('u.banned_until')} END AS banned_until,
                  ${publicTime('u.updated_at')} AS updated_at
             FROM ${rowsOfKeys('users', 'u')}`,
          [keys.map((k) => k.tenant), keys.map((k) => k.id)],
        ),
      applyUserEvent,
    );
    // New users are inserted outright, users already stored upserted (see foldPerSubject).
    await writeUsers(em, out);
  }
}
