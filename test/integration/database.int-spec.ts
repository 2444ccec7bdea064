/**
 * The tenancy base against real Postgres: migrations up and down on an empty
 * database, entities that agree with them, and row-level security that keeps
 * tenants apart whatever the SQL asks for.
 */
import {
  createDataSource,
  migrate,
  TenantExistsError,
  TenantsRepository,
  withTenant,
  InvalidTenantError,
} from '@herald/platform';
import { DataSource } from 'typeorm';
import { assertTestDatabase, freshDatabase, migratedDataSource } from '../support/infra';

describe('migrations', () => {
  let ds: DataSource;

  beforeAll(async () => {
    ds = await createDataSource({ url: await freshDatabase(), poolSize: 2 }).initialize();
  });
  afterAll(async () => {
    await ds.destroy();
  });

  it('apply to an empty database, agree with the entities, and roll back cleanly', async () => {
    const applied = await migrate(ds);
    expect(applied).toContain('TenancyBase1764072000000');
    expect(await migrate(ds)).toEqual([]); // idempotent

    // The entity model needs no schema change: migrations and entities agree.
    const pending = await ds.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);

    for (let i = 0; i < applied.length; i++) await ds.undoLastMigration({ transaction: 'each' });
    const tables: Array<{ tablename: string }> = await ds.query(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'herald_migrations'`,
    );
    expect(tables).toEqual([]);
    expect(await migrate(ds)).toEqual(applied); // and up again
  });
});

describe('tenant isolation (row-level security)', () => {
  let ds: DataSource;
  let tenants: TenantsRepository;
  const a = `t-a-${Date.now().toString(36)}`;
  const b = `t-b-${Date.now().toString(36)}`;

  beforeAll(async () => {
    ds = await migratedDataSource();
    tenants = new TenantsRepository(ds);
    await tenants.create(a);
    await tenants.create(b);
  });
  afterAll(async () => {
    await ds.destroy();
  });

  it('sees only its own rows, even when the query asks for everything', async () => {
    const rows = await withTenant(ds, a, (em) => em.query(`SELECT tenant FROM tenant_settings`));
    expect(rows).toEqual([{ tenant: a }]);
    const visibleTenants = await withTenant(ds, b, (em) => em.query(`SELECT slug FROM tenants`));
    expect(visibleTenants).toEqual([{ slug: b }]);
  });

  it("cannot write another tenant's rows", async () => {
    const updated = await withTenant(ds, a, (em) =>
      em.query(`UPDATE tenant_settings SET rate_limit_per_minute = 1 WHERE tenant = $1 RETURNING tenant`, [
        b,
      ]),
    );
    expect(updated).toEqual([[], 0]);
    await expect(
      withTenant(ds, a, (em) => em.query(`INSERT INTO tenant_settings (tenant) VALUES ($1)`, [b])),
    ).rejects.toThrow(/row-level security|duplicate key/);
    const [row] = await ds.query(`SELECT rate_limit_per_minute FROM tenant_settings WHERE tenant = $1`, [b]);
    expect(row.rate_limit_per_minute).toBe(600);
  });

  it('sees nothing when no tenant is set (fail closed)', async () => {
    const rows = await ds.transaction(async (em) => {
      await em.query('SET LOCAL ROLE herald_app');
      return em.query(`SELECT tenant FROM tenant_settings`);
    });
    expect(rows).toEqual([]);
  });

  it('cannot widen its scope from inside the transaction', async () => {
    await expect(withTenant(ds, a, (em) => em.query('RESET ROLE'))).resolves.toBeDefined(); // allowed by SQL…
    // …but the application role cannot bypass RLS or alter the policies.
    await expect(
      withTenant(ds, a, (em) => em.query('ALTER TABLE tenant_settings DISABLE ROW LEVEL SECURITY')),
    ).rejects.toThrow(/must be owner/);
    const [role] = await ds.query(
      `SELECT rolsuper, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = 'herald_app'`,
    );
    // A login since the least-privilege migration: the tenant pool logs in as it (least-privilege.int-spec.ts).
    expect(role).toEqual({ rolsuper: false, rolbypassrls: false, rolcanlogin: true });
  });

  it('scopes the setting to the transaction, not the pooled connection', async () => {
    await withTenant(ds, a, async () => undefined);
    const [setting] = await ds.query(`SELECT current_setting('herald.tenant', true) AS t, current_user AS u`);
    expect(setting.t ?? '').toBe('');
    expect(setting.u).not.toBe('herald_app');
  });

  it('rejects invalid slugs and duplicates with clear errors', async () => {
    await expect(tenants.create(a)).rejects.toThrow(TenantExistsError);
    await expect(tenants.create('Not_A_Label')).rejects.toThrow(InvalidTenantError);
    await expect(withTenant(ds, "x' OR 1=1 --", async () => undefined)).rejects.toThrow(InvalidTenantError);
  });

  it('refuses databases whose name lacks "test"', () => {
    expect(() => assertTestDatabase('postgres://u@h/herald')).toThrow(/lacks "test"/);
  });
});

describe('read models and tenant deletion', () => {
  let ds: DataSource;

  beforeAll(async () => {
    ds = await migratedDataSource();
  });
  afterAll(async () => {
    await ds.destroy();
  });

  async function seed(tenant: string, n: number): Promise<void> {
    await ds.query(
      `INSERT INTO events (log_partition, log_offset, log_time, id, tenant, type, created_at, data, subject_id)
       SELECT 0, g, g, $1 || '_' || g, $1, 'post.created', now(), '{}', g::text FROM generate_series(1, $2) g`,
      [tenant, n],
    );
    await ds.query(
      `INSERT INTO users (tenant, id, updated_at) SELECT $1, g, now() FROM generate_series(1, $2) g`,
      [tenant, n],
    );
    await ds.query(
      `INSERT INTO posts (tenant, id, updated_at) SELECT $1, g, now() FROM generate_series(1, $2) g`,
      [tenant, n],
    );
  }

  const count = async (table: string, tenant: string): Promise<number> =>
    Number((await ds.query(`SELECT count(*)::int AS n FROM ${table} WHERE tenant = $1`, [tenant]))[0].n);

  it("deleting a tenant deletes its events, users and posts rows, and nobody else's", async () => {
    const gone = `t-gone-${Date.now().toString(36)}`;
    const kept = `t-kept-${Date.now().toString(36)}`;
    await new TenantsRepository(ds).create(gone);
    await new TenantsRepository(ds).create(kept);
    await seed(gone, 5);
    await seed(kept, 3);

    await ds.query(`DELETE FROM tenants WHERE slug = $1`, [gone]);

    for (const table of ['events', 'users', 'posts']) {
      expect(await count(table, gone)).toBe(0);
      expect(await count(table, kept)).toBe(3);
    }
  });

  it('keeps the log position unique per tenant as the events key', async () => {
    const t = `t-seq-${Date.now().toString(36)}`;
    await new TenantsRepository(ds).create(t);
    await ds.query(
      `INSERT INTO events (log_partition, log_offset, log_time, id, tenant, type, created_at, data, subject_id) VALUES (2, 1, 1, $1, $2, 't', now(), '{}', '1')`,
      [`${t}_a`, t],
    );
    await expect(
      ds.query(
        `INSERT INTO events (log_partition, log_offset, log_time, id, tenant, type, created_at, data, subject_id) VALUES (2, 1, 1, $1, $2, 't', now(), '{}', '1')`,
        [`${t}_b`, t],
      ),
    ).rejects.toThrow(/events_pkey/);
  });
});
