/**
 * The `events` read model: every public event except `webhook.test`, in append order.
 * Idempotent on the event id; one multi-row insert per batch.
 */
import { WEBHOOK_TEST_TYPE } from '@herald/contracts';
import type { EntityManager } from 'typeorm';
import type { PublicRecord } from '../public-topic';
import type { Projection } from './projection';

export class EventsProjection implements Projection {
  readonly name = 'events' as const;
  readonly tables = ['events'];
  // seq values are drawn under a global lock so they commit in order (cursor safety).
  readonly globalLock = true;

  async apply(em: EntityManager, records: PublicRecord[]): Promise<void> {
    const rows = records.filter((r) => r.event.type !== WEBHOOK_TEST_TYPE);
    if (rows.length === 0) return;
    await em.query(
      `INSERT INTO events (seq, id, tenant, type, created_at, data, subject_id)
       SELECT nextval('events_seq'), s.id, s.tenant, s.type, s.created_at, s.data, s.subject_id
         FROM (SELECT DISTINCT ON (i.id) i.*
                 FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::json[], $6::text[])
                      WITH ORDINALITY AS i(id, tenant, type, created_at, data, subject_id, n)
                WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.id = i.id)
                ORDER BY i.id, i.n) s
        ORDER BY s.n
       ON CONFLICT (id) DO NOTHING`,
      [
        rows.map((r) => r.event.id),
        rows.map((r) => r.tenant),
        rows.map((r) => r.event.type),
        rows.map((r) => r.event.created_at),
        rows.map((r) => JSON.stringify(r.event.data)),
        rows.map((r) => r.subjectId),
      ],
    );
  }
}
