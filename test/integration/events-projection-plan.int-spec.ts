/**
 * The events projection's insert runs as a prepared statement, from the generic plan
 * Postgres caches for it, whose estimates know nothing of the batch. Whatever that plan
 * is, the previous log time of each partition in the batch is looked up once per batch,
 * not once per event (which made a batch's cost grow with its square).
 */
import { TenantsRepository } from '@herald/platform';
import { EventsProjection } from '@herald/events';
import { DataSource } from 'typeorm';
import { freshDatabase, migratedDataSource, uniqueName } from '../support/infra';
import { at, varied } from './queries-seed';

describe('events projection insert plan', () => {
  let url: string;
  let single: DataSource;

  beforeAll(async () => {
    // A database of its own: the index statistics below count every scan of its events.
    url = await freshDatabase();
    await (await migratedDataSource(url)).destroy();
    single = await new DataSource({ type: 'postgres', url, extra: { max: 1 } }).initialize();
  });
  afterAll(async () => {
    await single?.destroy();
  });

  /** Scans of the events primary key so far, as this session's statistics show them. */
  async function primaryKeyScans(): Promise<number> {
    await single.query(`SELECT pg_stat_force_next_flush()`);
    // A statement of its own: the flush happens once the previous one has ended.
    await single.query(`SELECT 1`);
    await single.query(`SELECT pg_stat_clear_snapshot()`);
    const [row] = await single.query<Array<{ n: number }>>(
      `SELECT idx_scan::int AS n FROM pg_stat_user_indexes WHERE indexrelname = 'events_pkey'`,
    );
    return row!.n;
  }

  it('looks up each partition once per batch, from the generic plan', async () => {
    const tenant = uniqueName('plan');
    await new TenantsRepository(single).create(tenant);
    await single.query(`SET plan_cache_mode = force_generic_plan`);
    const projection = new EventsProjection();
    let offset = 0;
    const batch = async (n: number): Promise<void> => {
      const records = Array.from({ length: n }, (_, i) => varied(tenant, offset + i, at(offset + i)));
      const positions = records.map(() => ({
        partition: offset % 4,
        offset: String(offset++),
        timestamp: String(Date.UTC(2026, 4, 28, 12) + offset),
      }));
      await single.transaction((em) => projection.apply(em, records, positions));
    };
    await batch(40);
    const before = await primaryKeyScans();
    await batch(200);
    const scans = (await primaryKeyScans()) - before;
    // One previous-time probe per tenant and partition (4 here), however many events.
    expect(scans).toBeGreaterThanOrEqual(1);
    expect(scans).toBeLessThanOrEqual(8);
    const [stored] = await single.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM events WHERE tenant = $1`,
      [tenant],
    );
    expect(stored!.n).toBe(240);
  });
});
