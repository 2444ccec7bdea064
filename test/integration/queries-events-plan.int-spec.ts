/**
 * The cost of a page of `GET /api/v1/events` does not grow with the cursor's depth: each
 * partition's walk starts at the cursor through an index condition, so a page deep into a
 * long feed reads about as many index entries as the first one. Checked on the plans
 * Postgres actually runs (EXPLAIN ANALYZE of the route's SQL, as herald_app in the tenant's
 * scope), oldest and newest first, with and without a type filter.
 */
import { publicEventId } from '@herald/contracts';
import { readAsTenant, TenantsRepository } from '@herald/platform';
import { DataSource } from 'typeorm';
import { EventFilter, listEventsSql } from '../../libs/events/src/queries/list-events/list-events.sql';
import { migratedDataSource, uniqueName } from '../support/infra';

const EVENTS = 6000;
const FETCH = 51;

interface PlanNode {
  'Node Type': string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}

/** Index entries and rows every scan of the plan touched: returned plus filtered out. */
function rowsTouched(node: PlanNode): number {
  const own = /Scan/.test(node['Node Type'])
    ? ((node['Actual Rows'] ?? 0) + (node['Rows Removed by Filter'] ?? 0)) * (node['Actual Loops'] ?? 1)
    : 0;
  return own + (node.Plans ?? []).reduce((n, child) => n + rowsTouched(child), 0);
}

describe('GET /api/v1/events plan', () => {
  let ds: DataSource;
  const tenant = uniqueName('qplan');

  beforeAll(async () => {
    ds = await migratedDataSource();
    await new TenantsRepository(ds).create(tenant);
    const ids = Array.from({ length: EVENTS }, (_, i) => publicEventId(tenant, `plan-${i}`));
    await ds.query(
      `INSERT INTO events (log_partition, log_offset, log_time, id, tenant, type, created_at, data, subject_id)
       SELECT 0, n, 1700000000000 + n, id, $2, CASE WHEN n % 2 = 0 THEN 'post.created' ELSE 'user.joined' END,
              now(), '{}'::json, id
         FROM unnest($1::text[]) WITH ORDINALITY AS u(id, n)`,
      [ids, tenant],
    );
    await ds.query('ANALYZE events');
  });
  afterAll(async () => {
    await ds.destroy();
  });

  async function touched(filter: EventFilter, offset: number | undefined): Promise<number> {
    const start = offset === undefined ? undefined : new Map([[0, BigInt(offset)]]);
    const { sql, params } = listEventsSql(tenant, filter, start, FETCH, FETCH - 1);
    const [row] = await readAsTenant<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(
      ds,
      tenant,
      `EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`,
      params,
    );
    return rowsTouched(row!['QUERY PLAN'][0]!.Plan);
  }

  it.each<[string, EventFilter]>([
    ['oldest first', { order: 'asc' }],
    ['newest first', { order: 'desc' }],
    ['oldest first, one type', { order: 'asc', type: 'post.created' }],
  ])('%s: a page deep into the feed touches about as many rows as one near its start', async (_, filter) => {
    const deep = filter.order === 'asc' ? EVENTS - 200 : 200;
    const shallow = filter.order === 'asc' ? 10 : EVENTS - 10;
    const near = await touched(filter, shallow);
    const far = await touched(filter, deep);
    // A walk that filtered instead of seeking would touch thousands more at depth.
    expect(far).toBeLessThan(near + 4 * FETCH);
    expect(far).toBeLessThan(10 * FETCH);
  });
});
