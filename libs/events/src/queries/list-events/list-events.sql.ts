/**
 * The SQL of `GET /api/v1/events`, one statement per request.
 *
 * The feed's order is (log_time, log_partition, log_offset), read from the public log
 * (docs/architecture.md, "Events feed positions"); within one partition it is offset
 * order. A cursor holds an offset per partition, so a page is:
 *
 * 1. the tenant's partitions: a loose scan of the primary key (tenant, log_partition, …),
 *    one probe per partition;
 * 2. per partition, a walk in offset order from the cursor's offset there (an index
 *    condition, so its cost does not grow with the offset), at most `fetch` keys — with a `type` filter, one walk per selected type over (tenant, type,
 *    log_partition, log_offset). Both indexes carry log_time and created_at, so the walks
 *    are index-only, time filters included;
 * 3. the walks' keys merged in feed order and cut to `fetch`: the first `fetch` of the
 *    merge, which takes from each partition a prefix of its walk; the first `limit` of
 *    them are served (the rest only answer has_more);
 * 4. the page's rows: without a filter the served keys of a partition are a contiguous run
 *    of it, read as one range scan per partition; with a type or time filter, one primary-key
 *    lookup per key;
 * 5. the page as one row: its items as JSON text, already in feed order and joined by
 *    commas (each event's `data` verbatim as stored, the other members quoted by
 *    Postgres), how many rows were read (`limit` + 1 answers has_more), and the last
 *    offset served in each partition — so the gateway neither parses nor re-serializes
 *    the events it sends.
 *
 * Newest first, a walk is a snapshot of what was visible at its first page: that page
 * also answers each walked partition's newest offset (`heads`), which bounds the
 * partition in the next cursor, and a partition the cursor does not name is done. Events
 * that become visible later therefore never appear out of order in a newest-first walk.
 *
 * created_at is a filter, not the order, so a walk may pass many rows outside a time
 * window before reaching it. A window of fewer than WINDOW_BOUND_LIMIT events is
 * therefore first measured on (tenant, created_at) INCLUDE (log_partition, log_offset) —
 * also index-only — and only the partitions it touches are walked, each clamped to the
 * window's [min, max] offset there. A wider window is walked unclamped over every partition.
 */
import { eventItemJson } from '../shared/event.item';
import type { SortOrder } from '../shared/keyset';
import { typesMatching } from './event-type-filter';
import type { FeedPosition } from './feed-position';

export const WINDOW_BOUND_LIMIT = 2_000;

const MIN = `'-1'::bigint`;
const MAX = `'9223372036854775807'::bigint`;

export interface EventFilter {
  order: SortOrder;
  /** An exact type or a prefix wildcard, already validated. */
  type?: string;
  /** RFC 3339, inclusive. */
  since?: string;
  /** RFC 3339, exclusive. */
  until?: string;
}

export function listEventsSql(
  tenant: string,
  f: EventFilter,
  /** The cursor's position; undefined on a first page. */
  start: FeedPosition | undefined,
  /** Rows read: more than `limit`, one of a few fixed sizes (part of the SQL text). */
  fetch: number,
  /** Items served; a parameter, so one statement serves every limit below `fetch`. */
  limit: number,
): { sql: string; params: unknown[] } {
  if (!Number.isSafeInteger(fetch) || fetch < 1) throw new RangeError(`bad fetch size ${fetch}`);
  if (!Number.isSafeInteger(limit) || limit < 1 || limit >= fetch) throw new RangeError(`bad limit ${limit}`);
  const partitions = [...(start?.keys() ?? [])];
  const params: unknown[] = [tenant, partitions, partitions.map((p) => start!.get(p)!.toString())];
  const asc = f.order === 'asc';
  const snapshot = !asc && start === undefined;
  const dir = asc ? 'ASC' : 'DESC';
  const order = (t: string): string =>
    `${t}.log_time ${dir}, ${t}.log_partition ${dir}, ${t}.log_offset ${dir}`;
  const window: string[] = [];
  if (f.since !== undefined) window.push(`created_at >= $${params.push(f.since)}`);
  if (f.until !== undefined) window.push(`created_at < $${params.push(f.until)}`);

  // The tenant's partitions, one index probe each.
  let spans = `parts(p) AS (
        SELECT min(log_partition) FROM events WHERE tenant = $1
        UNION ALL
        SELECT (SELECT min(e.log_partition) FROM events e WHERE e.tenant = $1 AND e.log_partition > parts.p)
          FROM parts WHERE parts.p IS NOT NULL),`;
  if (window.length === 0) {
    spans += `
      spans(p, lo, hi) AS (SELECT p, ${MIN}, ${MAX} FROM parts WHERE p IS NOT NULL)`;
  } else {
    const k = String(WINDOW_BOUND_LIMIT);
    // An empty window touches no partition, so nothing is walked at all.
    spans += `
      w AS (SELECT log_partition AS p, log_offset AS o FROM events WHERE tenant = $1 AND ${window.join(' AND ')} LIMIT ${k}),
      spans(p, lo, hi) AS (
        SELECT p, min(o), max(o) FROM w WHERE (SELECT count(*) FROM w) < ${k} GROUP BY p
        UNION ALL
        SELECT p, ${MIN}, ${MAX} FROM parts WHERE p IS NOT NULL AND (SELECT count(*) FROM w) >= ${k})`;
  }

  // Each walked partition's offset range: its span cut at the cursor. Oldest first, a
  // partition the cursor does not name has had nothing served yet; newest first, only a
  // first page walks it (from its newest event), later it is done. The bounds are columns
  // of the walk's outer row, so both ends are index conditions: a walk starts at the
  // cursor, however deep into the partition that is.
  const bounds = asc
    ? `greatest(s.lo, coalesce(c.o, ${MIN}) + 1), s.hi`
    : `s.lo, least(s.hi, coalesce(c.o, ${start === undefined ? MAX : `'0'::bigint`}) - 1)`;
  const heads = snapshot
    ? `
      heads(p, top) AS (
        SELECT s.p, (SELECT max(h.log_offset) FROM events h WHERE h.tenant = $1 AND h.log_partition = s.p)
          FROM spans s),`
    : '';
  const headsColumn = snapshot ? `, (SELECT string_agg(h.p || ':' || h.top, ',') FROM heads h) AS heads` : '';
  const where = [
    'k.tenant = $1',
    'k.log_partition = b.p',
    'k.log_offset >= b.lo',
    'k.log_offset <= b.hi',
    ...window.map((c) => `k.${c}`),
  ];
  let walks: string;
  if (f.type === undefined) {
    walks = `SELECT x.* FROM bounds b
         CROSS JOIN LATERAL (
           SELECT k.log_partition, k.log_offset, k.log_time FROM events k
            WHERE ${where.join(' AND ')}
            ORDER BY k.log_offset ${dir} LIMIT ${fetch}) x`;
  } else {
    // A btree on (tenant, type, log_partition, log_offset) walks one type of one partition
    // in offset order, so each (partition, type) gets its own bounded walk.
    const types = `$${params.push(typesMatching(f.type))}`;
    walks = `SELECT x.* FROM bounds b
         CROSS JOIN unnest(${types}::text[]) AS t(type)
         CROSS JOIN LATERAL (
           SELECT k.log_partition, k.log_offset, k.log_time FROM events k
            WHERE ${where.join(' AND ')} AND k.type = t.type
            ORDER BY k.log_offset ${dir} LIMIT ${fetch}) x`;
  }

  const rowColumns = `e.log_partition, e.log_offset, e.log_time, ${eventItemJson('e')} AS item`;
  let rows: string;
  if (f.type === undefined && window.length === 0) {
    // Unfiltered, a partition's walk covers every row of its span from the cursor on, so
    // the keys served of it are the run between their least and greatest offset. The
    // LIMIT (never reached) keeps each run a range scan of its own: a plain join could be
    // planned as a hash join over the tenant's events.
    rows = `rows AS (
        SELECT ${rowColumns} FROM runs r
         CROSS JOIN LATERAL (
           SELECT e.log_partition, e.log_offset, e.log_time, e.item_prefix, e.data FROM events e
            WHERE e.tenant = $1 AND e.log_partition = r.p AND e.log_offset >= r.lo AND e.log_offset <= r.hi
            ORDER BY e.log_offset LIMIT ${fetch}) e)`;
  } else {
    // One lookup per key (LIMIT 1 keeps the subquery a per-row lookup): with a generic plan
    // the page size is unknown, and a plain join could be planned as a hash join over the table.
    rows = `rows AS (
        SELECT ${rowColumns} FROM served p
         CROSS JOIN LATERAL (
           SELECT e.log_partition, e.log_offset, e.log_time, e.item_prefix, e.data FROM events e
            WHERE e.tenant = $1 AND e.log_partition = p.log_partition AND e.log_offset = p.log_offset LIMIT 1) e)`;
  }
  // The last offset served of each partition: the greatest oldest first, the least newest first.
  const last = asc ? 'r.hi' : 'r.lo';
  return {
    sql: `WITH RECURSIVE ${spans},
      cursor(p, o) AS (SELECT * FROM unnest($2::int[], $3::bigint[])),
      bounds(p, lo, hi) AS MATERIALIZED (SELECT s.p, ${bounds} FROM spans s LEFT JOIN cursor c ON c.p = s.p),${heads}
      keys AS (${walks}
        ORDER BY ${order('x')} LIMIT ${fetch}),
      served AS MATERIALIZED (SELECT * FROM keys k ORDER BY ${order('k')} LIMIT $${params.push(limit)}::int),
      runs(p, lo, hi) AS (SELECT log_partition, min(log_offset), max(log_offset) FROM served GROUP BY log_partition),
      ${rows}
      SELECT (SELECT count(*) FROM keys)::int AS fetched,
             coalesce((SELECT string_agg(r.item, ',' ORDER BY ${order('r')}) FROM rows r), '') AS items,
             (SELECT string_agg(r.p || ':' || ${last}, ',') FROM runs r) AS positions${headsColumn}`,
    params,
  };
}
