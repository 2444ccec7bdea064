/**
 * `readAsTenant` (the public read routes' one-round-trip scope) against real Postgres:
 * the read runs as herald_app with the tenant set, row-level security confines it to
 * that tenant whatever the SQL asks, nothing of the scope outlives the read on the
 * pooled connection (after success or failure), and it cannot write.
 */
import { InvalidTenantError, readAsTenant, TenantsRepository } from '@herald/platform';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { fastPaths } from '../../libs/platform/src/fast-paths/fast-paths';
import { migratedDataSource, testDatabaseUrl, uniqueName } from '../support/infra';
import { at, projectEvents, varied } from './queries-seed';

describe('readAsTenant', () => {
  let ds: DataSource;
  let single: DataSource;
  const a = uniqueName('qtr-a');
  const b = uniqueName('qtr-b');

  beforeAll(async () => {
    ds = await migratedDataSource();
    // One connection, so "the next statement" is on the very session the read used.
    single = await new DataSource({
      type: 'postgres',
      url: testDatabaseUrl(),
      extra: { max: 1 },
    }).initialize();
    const tenants = new TenantsRepository(ds);
    await tenants.create(a);
    await tenants.create(b);
    await projectEvents(ds, [varied(a, 1, at(1)), varied(a, 2, at(2)), varied(b, 3, at(3))]);
  });
  afterAll(async () => {
    await single.destroy();
    await ds.destroy();
  });

  it('runs the read as herald_app, for the tenant, in the transaction of its scope', async () => {
    const [row] = await readAsTenant<Record<string, string>>(
      single,
      a,
      `SELECT current_user AS role, current_setting('herald.tenant') AS tenant, $1::text AS param`,
      ['p'],
    );
    // Both settings are transaction-local: seeing them proves the scope ran first, in this transaction.
    expect(row).toEqual({ role: 'herald_app', tenant: a, param: 'p' });
  });

  it("confines any SQL to the tenant's rows", async () => {
    const rows = await readAsTenant<{ tenant: string }>(single, a, `SELECT tenant FROM events`, []);
    expect(rows.length).toBe(2);
    expect(new Set(rows.map((r) => r.tenant))).toEqual(new Set([a]));
    const asked = await readAsTenant(single, a, `SELECT 1 FROM events WHERE tenant = $1`, [b]);
    expect(asked).toEqual([]);
  });

  it('leaves nothing of the scope on the pooled connection', async () => {
    await readAsTenant(single, a, `SELECT 1`, []);
    const [after] = await single.query(
      `SELECT current_user AS role, current_setting('herald.tenant', true) AS tenant, count(*)::int AS all_events
         FROM events WHERE tenant IN ($1, $2)`,
      [a, b],
    );
    expect(after).toEqual({ role: expect.not.stringMatching(/^herald_app$/), tenant: '', all_events: 3 });
  });

  it('a failing read rejects, rolls back its scope and leaves the connection usable', async () => {
    await expect(readAsTenant(single, a, `SELECT 1 / (count(*) - count(*)) FROM events`, [])).rejects.toThrow(
      /division by zero/,
    );
    const [after] = await single.query(
      `SELECT current_user AS role, current_setting('herald.tenant', true) AS tenant`,
    );
    expect(after.role).not.toBe('herald_app');
    expect(after.tenant).toBe('');
  });

  it('cannot write, and refuses more than one statement', async () => {
    await expect(readAsTenant(single, a, `DELETE FROM events RETURNING id`, [])).rejects.toThrow(
      /permission denied/,
    );
    await expect(readAsTenant(single, a, `SELECT 1; SELECT 2`, [])).rejects.toThrow();
    const [n] = await single.query(`SELECT count(*)::int AS n FROM events WHERE tenant = $1`, [a]);
    expect(n.n).toBe(2);
  });

  it('prepare: parses once per connection and runs one generic plan, with the same isolation', async () => {
    const sql = `SELECT id, current_user AS role, current_setting('plan_cache_mode') AS mode FROM events WHERE tenant = $1 ORDER BY log_time, log_partition, log_offset`;
    for (let i = 0; i < 3; i++) {
      const rows = await readAsTenant<{ role: string; mode: string }>(single, a, sql, [a], { prepare: true });
      expect(rows).toHaveLength(2);
      expect(rows[0]).toMatchObject({ role: 'herald_app', mode: 'force_generic_plan' });
      expect(await readAsTenant(single, a, sql, [b], { prepare: true })).toEqual([]);
    }
    const [stmt] = await single.query(
      `SELECT generic_plans::int AS generic, custom_plans::int AS custom FROM pg_prepared_statements WHERE statement = $1`,
      [sql],
    );
    expect(stmt).toEqual({ generic: 6, custom: 0 });
    const [after] = await single.query(
      `SELECT current_user AS role, current_setting('plan_cache_mode') AS mode`,
    );
    expect(after.role).not.toBe('herald_app');
    expect(after.mode).toBe('auto');
  });

  it('parses the scope once per connection, and again after a read on it failed', async () => {
    const scopeRuns = async (): Promise<number> => {
      const rows = await single.query<Array<{ runs: number }>>(
        `SELECT (generic_plans + custom_plans)::int AS runs FROM pg_prepared_statements WHERE name = 'herald_tenant_scope'`,
      );
      return rows[0]?.runs ?? 0;
    };
    const failing = (): Promise<unknown> =>
      expect(readAsTenant(single, a, `SELECT 1 / (count(*) - count(*)) FROM events`, [])).rejects.toThrow(
        /division by zero/,
      );
    // A failed read leaves the connection unsure of its scope statement: the next read makes it anew.
    await failing();
    for (let i = 0; i < 3; i++) await readAsTenant(single, a, `SELECT 1`, []);
    // With fast paths on, one statement ran the three scopes; the plain path prepares none.
    expect(await scopeRuns()).toBe(fastPaths().pg ? 3 : 0);

    await failing();
    const [row] = await readAsTenant<Record<string, string>>(
      single,
      b,
      `SELECT current_user AS role, current_setting('herald.tenant') AS tenant, count(*)::int AS n FROM events`,
      [],
    );
    expect(row).toEqual({ role: 'herald_app', tenant: b, n: 1 });
    expect(await scopeRuns()).toBe(fastPaths().pg ? 1 : 0);
  });

  it('is one round trip with fast paths on, an explicit transaction of four with them off', async () => {
    // Both CI passes run this: once with HERALD_FAST_PATHS unset, once with it 0.
    const query = jest.spyOn(Client.prototype, 'query');
    try {
      const rows = await readAsTenant<{ tenant: string }>(single, a, `SELECT tenant FROM events`, []);
      expect(rows.map((r) => r.tenant)).toEqual([a, a]);
      expect(query).toHaveBeenCalledTimes(fastPaths().pg ? 1 : 4);
    } finally {
      query.mockRestore();
    }
  });

  it('refuses a tenant that is not a slug before touching the database', async () => {
    await expect(readAsTenant(single, "a' OR true --", `SELECT 1`, [])).rejects.toBeInstanceOf(
      InvalidTenantError,
    );
  });

  it('an unknown tenant sees nothing', async () => {
    expect(await readAsTenant(single, 'no-such-tenant', `SELECT id FROM events`, [])).toEqual([]);
  });
});
