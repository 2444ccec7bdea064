/**
 * The `events` read model: every public event except `webhook.test`, in append order.
 * Idempotent on the event id; one multi-row insert per batch.
 */
import { WEBHOOK_TEST_TYPE } from '@herald/contracts';
import type { EntityManager } from 'typeorm';
import { queryPrepared, type PublicRecord } from '@herald/platform';
import type { Projection } from './projection';
import { textArray } from './subject-rows';

export class EventsProjection implements Projection {
  readonly name = 'events' as const;
  readonly tables = ['events'];
  // seq values are drawn under a global lock so they commit in order (cursor safety).
  readonly globalLock = true;

  async apply(em: EntityManager, records: PublicRecord[]): Promise<void> {
    // First occurrence of each id wins; deduplicating here keeps the SQL free of a text sort.
    const seen = new Set<string>();
    const rows = records.filter((r) => {
      if (r.event.type === WEBHOOK_TEST_TYPE || seen.has(r.event.id)) return false;
      seen.add(r.event.id);
      return true;
    });
    if (rows.length === 0) return;
    // seq follows batch order (ORDER BY the ordinality). An id already stored (a record read
    // again) is skipped by the unique index; the seq it drew is left unused, a gap cursors do
    // not mind. Looking such ids up first would cost an index probe for every row of every
    // batch (a fifth of the insert) to save a number in the rare case.
    // The data members travel as one JSON array, as published where the record says so:
    // neither serialised again nor escaped element by element.
    await queryPrepared(
      em,
      `INSERT INTO events (seq, id, tenant, type, created_at, data, subject_id)
       SELECT nextval('events_seq'), i.id, i.tenant, i.type, i.created_at, i.data, i.subject_id
         FROM ROWS FROM (unnest($1::text[]), unnest($2::text[]), unnest($3::text[]), unnest($4::timestamptz[]),
                         json_array_elements($5::json), unnest($6::text[]))
              WITH ORDINALITY AS i(id, tenant, type, created_at, data, subject_id, n)
        ORDER BY i.n
       ON CONFLICT (id) DO NOTHING`,
      [
        textArray(rows.map((r) => r.event.id)),
        textArray(rows.map((r) => r.tenant)),
        textArray(rows.map((r) => r.event.type)),
        textArray(rows.map((r) => r.event.created_at)),
        `[${rows.map(publishedData).join(',')}]`,
        textArray(rows.map((r) => r.subjectId)),
      ],
    );
  }
}

/**
 * The `data` member of a record as published, when the value is laid out as the translator
 * writes it (`{"id":…,"type":…,"created_at":…,"data":…}`, nothing after data); otherwise
 * serialised from the parsed event.
 */
function publishedData(r: PublicRecord): string {
  const { raw, event } = r;
  if (raw !== undefined && Object.keys(event).length === 4) {
    const prefix = `{"id":"${event.id}","type":"${event.type}","created_at":"${event.created_at}","data":`;
    if (raw.length > prefix.length + 1 && raw.startsWith(prefix) && raw.endsWith('}')) {
      return raw.slice(prefix.length, -1);
    }
  }
  return JSON.stringify(event.data);
}
