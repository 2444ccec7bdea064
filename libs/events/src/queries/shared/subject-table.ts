/**
 * Reads shared by the row-per-subject read models (users, posts): keyset pages by id on
 * the primary key (tenant, id), and lookup by id. The primary key is their only index, so
 * every plan is a range scan on it, cached or not: the statements are prepared. A page walks ids, not time, so an
 * item created behind a kept cursor (a lower id than its position) is not seen by it.
 */
import type { DataSource } from 'typeorm';
import { CursorCodec, CursorScope, readAsTenant } from '@herald/platform';
import { fetchSize, ListPage, startBound, toPage } from './keyset';
import { DEFAULT_LIMIT, ListRequestDto } from '@herald/platform';

export interface SubjectTable<R extends { id: string }, T> {
  route: string;
  table: 'users' | 'posts';
  columns: (alias: string) => string;
  itemOf: (row: R) => T;
}

export async function listSubjects<R extends { id: string }, T>(
  ds: DataSource,
  codec: CursorCodec,
  tenant: string,
  req: ListRequestDto,
  t: SubjectTable<R, T>,
): Promise<ListPage<T>> {
  const limit = req.limit ?? DEFAULT_LIMIT;
  const order = req.order ?? 'asc';
  const scope: CursorScope = { tenant, route: t.route, query: { order } };
  const start = startBound(codec, scope, order, req.cursor);
  const [cmp, dir] = order === 'asc' ? ['>', 'ASC'] : ['<', 'DESC'];
  const rows = await readAsTenant<R>(
    ds,
    tenant,
    `SELECT ${t.columns('s')} FROM ${t.table} s
      WHERE s.tenant = $1 AND s.id ${cmp} $2 ORDER BY s.id ${dir} LIMIT ${fetchSize(limit)}`,
    [tenant, start.toString()],
    { prepare: true },
  );
  return toPage(rows, { limit, order, start, codec, scope, keyOf: (r) => BigInt(r.id), itemOf: t.itemOf });
}

export async function findSubject<R extends { id: string }, T>(
  ds: DataSource,
  tenant: string,
  id: string,
  t: SubjectTable<R, T>,
): Promise<T | undefined> {
  const [row] = await readAsTenant<R>(
    ds,
    tenant,
    `SELECT ${t.columns('s')} FROM ${t.table} s WHERE s.tenant = $1 AND s.id = $2`,
    [tenant, id],
    { prepare: true },
  );
  return row === undefined ? undefined : t.itemOf(row);
}
