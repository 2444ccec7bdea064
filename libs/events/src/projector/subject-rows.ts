/**
 * What the row-per-subject read models (users, posts) share: a batch is folded per
 * subject in memory — events of one subject are ordered on one partition — after one
 * query loads the current rows of every subject the batch touches.
 */
import { queryPrepared, type PublicRecord } from '@herald/platform';
import type { EntityManager } from 'typeorm';

export type Obj = Record<string, unknown>;

export const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null ? (v as Obj) : {});

/** SQL: a timestamptz column as text in the public format (UTC, six fractional digits). */
export const publicTime = (column: string): string =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * SQL: the rows of `table` whose (tenant, id) pair is in the arrays $1 and $2, as `alias`,
 * looked up one primary-key probe per pair. A plain join with the arrays lets the planner
 * hash the whole table instead, which costs a scan of every row per batch.
 */
export const rowsOfKeys = (table: string, alias: string): string =>
  `unnest($1::text[], $2::bigint[]) AS k(tenant, id)
   CROSS JOIN LATERAL (SELECT * FROM ${table} t WHERE t.tenant = k.tenant AND t.id = k.id LIMIT 1) ${alias}`;

/**
 * A text[] parameter as an array literal, every element quoted, when no element holds a
 * quote or a backslash (ids, slugs, types, timestamps): the driver would otherwise escape
 * each element with two regular expressions. Anything else goes to the driver as is.
 */
export function textArray(values: string[]): string | string[] {
  for (const v of values) if (v.includes('"') || v.includes('\\')) return values;
  return values.length === 0 ? '{}' : `{"${values.join('","')}"}`;
}

export interface SubjectKey {
  tenant: string;
  id: string;
}

const keyOf = (k: SubjectKey): string => `${k.tenant}\0${k.id}`;

/** The rows a batch writes: those its subjects had already, and those it creates. */
export interface Folded<R> {
  existing: R[];
  created: R[];
}

/**
 * Returns the rows to write for `records`: loads the existing rows of their subjects
 * (`load`, one round trip), then applies each record in order. Records whose subject is
 * empty are skipped.
 *
 * A subject's events all sit on one partition, and a batch writes a partition's subjects
 * only while it holds that partition's checkpoint row, so a row not loaded here is not
 * written by anyone else before this batch commits: `created` rows are inserted without
 * a conflict clause (cheaper than an upsert). Should two writers still meet (a partition
 * whose checkpoint row did not exist yet), the unique violation is a passing failure and
 * the batch is applied again.
 */
export async function foldPerSubject<R extends SubjectKey>(
  records: PublicRecord[],
  subjectOf: (r: PublicRecord) => string,
  load: (keys: SubjectKey[]) => Promise<R[]>,
  apply: (row: R | undefined, r: PublicRecord) => R | undefined,
): Promise<Folded<R>> {
  const wanted = new Map<string, SubjectKey>();
  for (const r of records) {
    const id = subjectOf(r);
    if (id) wanted.set(keyOf({ tenant: r.tenant, id }), { tenant: r.tenant, id });
  }
  if (wanted.size === 0) return { existing: [], created: [] };
  const loaded = await load([...wanted.values()]);
  const rows = new Map<string, R>(loaded.map((row) => [keyOf(row), row]));
  const had = new Set(rows.keys());
  for (const r of records) {
    const key = keyOf({ tenant: r.tenant, id: subjectOf(r) });
    if (!wanted.has(key)) continue;
    const next = apply(rows.get(key), r);
    if (next) rows.set(key, next);
  }
  const out: Folded<R> = { existing: [], created: [] };
  for (const [key, row] of rows) (had.has(key) ? out.existing : out.created).push(row);
  return out;
}

/**
 * Writes what `foldPerSubject` returned to `table`, whose columns are given in order with
 * their SQL types, the key (tenant, id) first: the created rows in one plain multi-row
 * insert, the existing ones in one upsert that sets every other column.
 */
export function foldedRowsWriter<R extends SubjectKey>(
  table: string,
  columns: ReadonlyArray<readonly [keyof R & string, string]>,
): (em: EntityManager, rows: Folded<R>) => Promise<void> {
  const insert = `INSERT INTO ${table} (${columns.map(([c]) => c).join(', ')})
  SELECT * FROM unnest(${columns.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ')})`;
  const upsert = `${insert}
  ON CONFLICT (tenant, id) DO UPDATE SET ${columns
    .slice(2)
    .map(([c]) => `${c} = EXCLUDED.${c}`)
    .join(', ')}`;
  const params = (rows: R[]): unknown[] => columns.map(([c]) => rows.map((r) => r[c]));
  return async (em, { created, existing }) => {
    if (created.length > 0) await queryPrepared(em, insert, params(created));
    if (existing.length > 0) await queryPrepared(em, upsert, params(existing));
  };
}
