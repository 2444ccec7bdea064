/**
 * Read-model rows for the query tests, written by the real projections exactly as the
 * projector writes them: the events projection under its lock, with log positions taken
 * under it (one partition, offsets and timestamps rising in commit order, as the projector
 * applies a partition), users and posts through their folds.
 */
import type { PublicEvent } from '@herald/contracts';
import { EventsProjection, PostsProjection, UsersProjection } from '@herald/events';
import type { PublicRecord } from '@herald/platform';
import { ulid } from 'ulid';
import type { DataSource } from 'typeorm';

export const PUBLIC_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** A public event as the translator would publish it; the subject defaults to the data's main id. */
export function record(
  tenant: string,
  type: string,
  data: Record<string, unknown>,
  createdAt: string,
  subjectId?: string,
): PublicRecord {
  const event: PublicEvent = { id: `evt_${ulid()}`, type, created_at: createdAt, data };
  const main =
    data.post_id ?? data.thread_id ?? data.ticket_id ?? (data.user as { id?: unknown } | undefined)?.id;
  const subject = subjectId ?? (typeof main === 'number' ? String(main) : '1');
  return { tenant, event, subjectId: subject };
}

/** `2026-05-28T12:00:00.000000Z` plus `micros` microseconds: distinct, six-digit, easy to order. */
export function at(micros: number, base = Date.UTC(2026, 4, 28, 12)): string {
  const whole = Math.floor(micros / 1_000_000);
  const iso = new Date(base + whole * 1000).toISOString().slice(0, 19);
  return `${iso}.${String(micros % 1_000_000).padStart(6, '0')}Z`;
}

const postData = (id: number, title = `Post ${id}`) => ({
  post_id: id,
  thread_id: 1000 + id,
  forum_slug: 'general',
  title,
  author: { id: 7, username: 'ada' },
});

/** A varied event of a rotating type, with a payload that names `n`. */
export function varied(tenant: string, n: number, createdAt: string): PublicRecord {
  switch (n % 5) {
    case 0:
      return record(tenant, 'post.created', postData(n), createdAt);
    case 1:
      return record(tenant, 'user.joined', { user: { id: n, username: `u${n}` } }, createdAt);
    case 2:
      return record(tenant, 'post.edited', { ...postData(n, `Edited ${n}`), editor: { id: 7 } }, createdAt);
    case 3:
      return record(
        tenant,
        'ticket.created',
        { ticket_id: n, subject: `T${n}`, requester: { id: 3 } },
        createdAt,
      );
    default:
      return record(
        tenant,
        'post.deleted',
        { post_id: n, thread_id: 1000 + n, deleted_by: { id: 9 } },
        createdAt,
      );
  }
}

/** The partition seeded events claim; offsets start past any another test file seeded. */
export const SEED_PARTITION = 0;
let nextOffset = Date.now() * 1000;

/**
 * Applies `records` to the events read model in one transaction under the projection's
 * lock, as the projector does; `holdMs` keeps the transaction (and the lock) open before
 * committing, so concurrent readers meet a late commit.
 */
export async function projectEvents(ds: DataSource, records: PublicRecord[], holdMs = 0): Promise<void> {
  const projection = new EventsProjection();
  await ds.transaction(async (em) => {
    await em.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`projection:${projection.name}`]);
    const positions = records.map(() => ({
      partition: SEED_PARTITION,
      offset: String(nextOffset++),
      timestamp: String(Date.now()),
    }));
    await projection.apply(em, records, positions);
    if (holdMs > 0) await new Promise((r) => setTimeout(r, holdMs));
  });
}

/** Applies `records` to the users and posts read models, as their projections do. */
export async function projectSubjects(ds: DataSource, records: PublicRecord[]): Promise<void> {
  await ds.transaction(async (em) => {
    await new UsersProjection().apply(em, records);
    await new PostsProjection().apply(em, records);
  });
}
