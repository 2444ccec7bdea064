/**
 * The SQL of `GET /api/v1/events`, one statement per request, in two steps:
 *
 * 1. the page's keys: a walk in seq order from the cursor over (tenant, seq) — with a
 *    `type` filter, one walk per selected type over (tenant, type, seq), merged by a sort
 *    of at most types × fetch keys. Both indexes carry created_at, so the walk is
 *    index-only, time filters included;
 * 2. the page's rows, one primary-key lookup per key.
 *
 * Asking for keys first keeps the plan the same for every tenant, large or small, and
 * for a cached generic plan: read in one step, the planner often prefers walking the seq
 * primary key and skipping other tenants' rows, which costs in proportion to how small
 * the tenant is.
 *
 * created_at is a filter, not the order, so a walk may pass many rows outside a time
 * window before reaching it. A window of fewer than WINDOW_BOUND_LIMIT events is
 * therefore first measured on (tenant, created_at) INCLUDE (seq) — also index-only —
 * and the walk is clamped to the exact [min, max] seq of the window. A wider window is
 * walked unclamped: its matches are many, so they are usually met early.
 */
import { eventColumns } from '../shared/event.item';
import type { SortOrder } from '../shared/keyset';
import { typesMatching } from './event-type-filter';

export const WINDOW_BOUND_LIMIT = 2_000;

const MIN = `'-9223372036854775808'::bigint`;
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
  start: bigint,
  fetch: number,
): { sql: string; params: unknown[] } {
  if (!Number.isSafeInteger(fetch) || fetch < 1) throw new RangeError(`bad fetch size ${fetch}`);
  const params: unknown[] = [tenant, start.toString()];
  const dir = f.order === 'asc' ? 'ASC' : 'DESC';
  const window: string[] = [];
  if (f.since !== undefined) window.push(`created_at >= $${params.push(f.since)}`);
  if (f.until !== undefined) window.push(`created_at < $${params.push(f.until)}`);
  const where = [
    'k.tenant = $1',
    f.order === 'asc' ? 'k.seq > $2' : 'k.seq < $2',
    ...window.map((c) => `k.${c}`),
  ];

  let bounds = '';
  if (window.length > 0) {
    const k = String(WINDOW_BOUND_LIMIT);
    // An empty window gets an empty range (lo > hi), so nothing is walked at all.
    bounds = `WITH w AS (
        SELECT CASE WHEN count(*) >= ${k} THEN ${MIN} ELSE coalesce(min(b.seq), ${MAX}) END AS lo,
               CASE WHEN count(*) >= ${k} THEN ${MAX} ELSE coalesce(max(b.seq), ${MIN}) END AS hi
          FROM (SELECT seq FROM events WHERE tenant = $1 AND ${window.join(' AND ')} LIMIT ${k}) b)
      `;
    where.push('k.seq >= (SELECT lo FROM w)', 'k.seq <= (SELECT hi FROM w)');
  }

  // One lookup per key (LIMIT 1 keeps the subquery a per-row lookup): with a generic plan
  // the page size is unknown, and a plain join could be planned as a hash join over the table.
  const rows = (keys: string): string =>
    `${bounds}SELECT ${eventColumns('e')}
       FROM (${keys}) p
       CROSS JOIN LATERAL (
         SELECT e.seq, e.id, e.type, e.created_at, e.data FROM events e
          WHERE e.seq = p.seq AND e.tenant = $1 LIMIT 1) e
      ORDER BY p.seq ${dir}`;
  if (f.type === undefined) {
    return {
      sql: rows(
        `SELECT k.seq FROM events k WHERE ${where.join(' AND ')} ORDER BY k.seq ${dir} LIMIT ${fetch}`,
      ),
      params,
    };
  }
  // A btree on (tenant, type, seq) cannot return several types in seq order, so each
  // type gets its own bounded walk and the few keys they yield are merged.
  const types = `$${params.push(typesMatching(f.type))}`;
  return {
    sql: rows(
      `SELECT x.seq FROM unnest(${types}::text[]) AS t(type)
         CROSS JOIN LATERAL (
           SELECT k.seq FROM events k WHERE ${where.join(' AND ')} AND k.type = t.type
            ORDER BY k.seq ${dir} LIMIT ${fetch}) x
        ORDER BY x.seq ${dir} LIMIT ${fetch}`,
    ),
    params,
  };
}
