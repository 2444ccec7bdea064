/**
 * Database least privilege against real Postgres, from the sessions themselves: the
 * `herald_app` login (not a role switched to) cannot become anything else, sees no row of
 * any tenant table without a tenant, only its tenant's with one, and cannot write another
 * tenant's rows; a schema owner that is not a superuser is bound by the same policies
 * (FORCE ROW LEVEL SECURITY) unless its session asks for system scope.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import {
  assertLeastPrivilege,
  bindTenantDataSource,
  ConfigError,
  createDataSource,
  loadConfig,
  loginPrivileges,
  migrate,
  projectRoot,
  provisionLogin,
  readAsTenant,
  privilegedLoginProblem,
  TenantsRepository,
  withTenant,
} from '@herald/platform';
import { DataSource } from 'typeorm';
import { TENANT_TABLES } from '../../migrations/1764676800000-least-privilege';
import { freshDatabase } from '../support/infra';

const A = 'lp-a';
const B = 'lp-b';

/** One row of each tenant table for `tenant`, written by a session that sees every tenant. */
async function seed(ds: DataSource, tenant: string): Promise<void> {
  await new TenantsRepository(ds).create(tenant); // tenants, tenant_settings
  const statements = [
    `INSERT INTO events (log_partition, log_offset, log_time, id, tenant, type, created_at, data, subject_id)
       VALUES (0, 0, 0, $1 || '-e', $1, 'post.created', now(), '{}', '1')`,
    `INSERT INTO users (tenant, id, updated_at) VALUES ($1, 1, now())`,
    `INSERT INTO posts (tenant, id, updated_at) VALUES ($1, 1, now())`,
    `INSERT INTO api_keys (id, tenant, mode, prefix, key_hash, scopes)
       VALUES ($1 || '-k', $1, 'test', 'hk_test', sha256(convert_to($1, 'UTF8')), ARRAY['events:read'])`,
    `INSERT INTO audit_log (tenant, actor, action, target_type, target_id) VALUES ($1, 'test', 'seed', 'tenant', $1)`,
    `INSERT INTO api_key_usage (tenant, key_id, hour, last_seen_at)
       VALUES ($1, $1 || '-k', date_trunc('hour', now()), now())`,
    `INSERT INTO webhook_endpoints (id, tenant, url, events, secret_key_id, secret_sealed)
       VALUES ($1 || '-w', $1, 'https://example.com/', ARRAY['post.created'], 'k1', '\\x00')`,
    `INSERT INTO webhook_messages (tenant, event_id, event_type, payload) VALUES ($1, $1 || '-e', 'post.created', '{}')`,
    `INSERT INTO webhook_deliveries (id, tenant, endpoint_id, event_id, event_type, max_attempts)
       VALUES ($1 || '-d', $1, $1 || '-w', $1 || '-e', 'post.created', 3)`,
    `INSERT INTO webhook_attempts (delivery_id, n, tenant, at, latency_ms, request_headers, max_attempts)
       VALUES ($1 || '-d', 1, $1, now(), 5, '{}', 3)`,
  ];
  for (const sql of statements) await ds.query(sql, [tenant]);
}

const tenantColumn = (table: string): string => (table === 'tenants' ? 'slug' : 'tenant');

/** The tenants whose rows `table` shows this session, in order. */
async function tenantsSeen(c: Client, table: string): Promise<string[]> {
  const col = tenantColumn(table);
  const { rows } = await c.query<{ t: string }>(`SELECT DISTINCT ${col} AS t FROM ${table} ORDER BY 1`);
  return rows.map((r) => r.t);
}

async function connect(url: string): Promise<Client> {
  const c = new Client({ connectionString: url });
  await c.connect();
  return c;
}

async function inTenant<T>(c: Client, tenant: string, work: () => Promise<T>): Promise<T> {
  await c.query('BEGIN');
  try {
    await c.query(`SELECT set_config('herald.tenant', $1, true)`, [tenant]);
    return await work();
  } finally {
    await c.query('ROLLBACK');
  }
}

describe('the herald_app login', () => {
  let url: string;
  let owner: DataSource;
  let app: Client;
  let appDs: DataSource;
  let ownerRole: string;
  let appUrl: string;
  let systemUrl: string;

  beforeAll(async () => {
    url = await freshDatabase();
    owner = await createDataSource({ url, poolSize: 2 }).initialize();
    await migrate(owner);
    const provisioned = await provisionLogin(owner, url, 'herald_app');
    if (!provisioned) throw new Error('the test server did not let herald_app log in');
    appUrl = provisioned;
    const system = await provisionLogin(owner, url, 'herald_system');
    if (!system) throw new Error('the test server did not let herald_system log in');
    systemUrl = system;
    expect(new URL(appUrl).username).toBe('herald_app');
    await seed(owner, A);
    await seed(owner, B);
    app = await connect(appUrl);
    appDs = await createDataSource({ url: appUrl, poolSize: 1, scope: 'tenant' }).initialize();
    const [me] = await owner.query<Array<{ name: string }>>(`SELECT current_user AS name`);
    ownerRole = me?.name ?? '';
  });
  afterAll(async () => {
    await app?.end();
    await appDs?.destroy();
    await owner?.destroy();
  });

  it('is not a superuser, has no BYPASSRLS and owns nothing', async () => {
    const p = await loginPrivileges(appDs);
    expect(p).toEqual({ role: 'herald_app', superuser: false, bypassRls: false, ownedRelations: 0 });
    expect(privilegedLoginProblem(p)).toBeUndefined();
    // The owner's login (a superuser here) is what production refuses for tenant work.
    expect(privilegedLoginProblem(await loginPrivileges(owner))).toMatch(/superuser/);
  });

  it('cannot become the owner, nor switch the policies off', async () => {
    await app.query('RESET ROLE');
    const { rows } = await app.query<{ u: string }>('SELECT current_user AS u');
    expect(rows[0]?.u).toBe('herald_app');
    expect(await tenantsSeen(app, 'events')).toEqual([]);

    await expect(app.query(`SET ROLE "${ownerRole}"`)).rejects.toMatchObject({ code: '42501' });
    await expect(app.query(`SET SESSION AUTHORIZATION "${ownerRole}"`)).rejects.toMatchObject({
      code: '42501',
    });
    await expect(app.query('ALTER TABLE events DISABLE ROW LEVEL SECURITY')).rejects.toMatchObject({
      code: '42501',
    });
    await expect(app.query('SELECT herald_system_scope()')).rejects.toMatchObject({ code: '42501' });
    // System scope is the owner's opt-in; asked for here it changes nothing.
    await app.query(`SET herald.system = 'on'`);
    expect(await tenantsSeen(app, 'api_keys')).toEqual([]);
    await app.query('RESET herald.system');
  });

  it.each(TENANT_TABLES)(
    'sees no row of %s without a tenant, and only its tenant’s with one',
    async (table) => {
      const all = await owner.query<unknown[]>(`SELECT DISTINCT ${tenantColumn(table)} AS t FROM ${table}`);
      expect(all.length).toBeGreaterThanOrEqual(2); // both tenants' rows are there

      expect(await tenantsSeen(app, table)).toEqual([]);
      expect(await inTenant(app, A, () => tenantsSeen(app, table))).toEqual([A]);
      expect(await inTenant(app, B, () => tenantsSeen(app, table))).toEqual([B]);
    },
  );

  it('is the session withTenant and readAsTenant run in, once bound to the owner’s pool', async () => {
    const scoped = await createDataSource({ url, poolSize: 1 }).initialize();
    try {
      bindTenantDataSource(scoped, appDs);
      const viaTransaction = await withTenant(scoped, A, (em) =>
        em.query(`SELECT session_user AS login, (SELECT array_agg(DISTINCT tenant) FROM api_keys) AS seen`),
      );
      expect(viaTransaction).toEqual([{ login: 'herald_app', seen: [A] }]);
      const viaRead = await readAsTenant(
        scoped,
        B,
        `SELECT session_user AS login, (SELECT array_agg(DISTINCT tenant) FROM events) AS seen`,
        [],
      );
      expect(viaRead).toEqual([{ login: 'herald_app', seen: [B] }]);
    } finally {
      await scoped.destroy();
    }
  });

  it('is what production requires of tenant-scoped work, unless told otherwise', async () => {
    const production = (env: Record<string, string>) =>
      loadConfig({ NODE_ENV: 'production', DATABASE_URL: url, ...env }, { projectRoot: projectRoot() });
    const refused = assertLeastPrivilege(production({}));
    await expect(refused).rejects.toBeInstanceOf(ConfigError);
    await expect(refused).rejects.toThrow(/is a superuser: set HERALD_DATABASE_APP_URL/);
    await expect(assertLeastPrivilege(production({ HERALD_DATABASE_APP_URL: url }))).rejects.toThrow(
      /superuser/,
    );
    // The tenant login is fine now; the system pool is still the owner's (a superuser here).
    await expect(assertLeastPrivilege(production({ HERALD_DATABASE_APP_URL: appUrl }))).rejects.toThrow(
      /cross-tenant work would log in as DATABASE_URL \(HERALD_DATABASE_SYSTEM_URL is unset\), and "[^"]+" is a superuser: set HERALD_DATABASE_SYSTEM_URL/,
    );
    await expect(
      assertLeastPrivilege(
        production({ HERALD_DATABASE_APP_URL: appUrl, HERALD_DATABASE_SYSTEM_URL: systemUrl }),
      ),
    ).resolves.toBeUndefined();
    // Without a tenant login, tenant work would run on the system pool: herald_system is fine for it.
    await expect(
      assertLeastPrivilege(production({ HERALD_DATABASE_SYSTEM_URL: systemUrl })),
    ).resolves.toBeUndefined();
    await expect(
      assertLeastPrivilege(production({ HERALD_DATABASE_APP_URL: appUrl, HERALD_DATABASE_SYSTEM_URL: url })),
    ).rejects.toThrow(
      /cross-tenant work would log in as HERALD_DATABASE_SYSTEM_URL, and "[^"]+" is a superuser/,
    );
    await expect(
      assertLeastPrivilege(production({ HERALD_DATABASE_ALLOW_PRIVILEGED_APP: 'true' })),
    ).resolves.toBeUndefined();
  });

  it('cannot write a row of another tenant', async () => {
    await inTenant(app, A, async () => {
      await expect(
        app.query(
          `INSERT INTO api_keys (id, tenant, mode, prefix, key_hash, scopes)
             VALUES ('lp-x', $1, 'test', 'hk_test', sha256('x'::bytea), ARRAY['events:read'])`,
          [B],
        ),
      ).rejects.toMatchObject({ code: '42501', message: expect.stringMatching(/row-level security/) });
    });
    await inTenant(app, A, async () => {
      await expect(app.query(`UPDATE api_keys SET tenant = $1`, [B])).rejects.toMatchObject({
        code: '42501',
      });
    });
    await inTenant(app, A, async () => {
      // Rows of B are not there to change: nothing is updated.
      const res = await app.query(`UPDATE webhook_endpoints SET label = 'x' WHERE tenant = $1`, [B]);
      expect(res.rowCount).toBe(0);
    });
  });
});

describe('the herald_system login', () => {
  let url: string;
  let owner: DataSource;
  let systemUrl: string;
  let system: DataSource;
  let plain: Client;
  let ownerRole: string;

  beforeAll(async () => {
    url = await freshDatabase();
    owner = await createDataSource({ url, poolSize: 2 }).initialize();
    await migrate(owner);
    const provisioned = await provisionLogin(owner, url, 'herald_system');
    if (!provisioned) throw new Error('the test server did not let herald_system log in');
    systemUrl = provisioned;
    expect(new URL(systemUrl).username).toBe('herald_system');
    await seed(owner, A);
    await seed(owner, B);
    system = await createDataSource({ url: systemUrl, poolSize: 2 }).initialize(); // system scope
    plain = await connect(systemUrl); // no herald.system: as psql would open it
    const [me] = await owner.query<Array<{ name: string }>>(`SELECT current_user AS name`);
    ownerRole = me?.name ?? '';
  });
  afterAll(async () => {
    await plain?.end();
    await system?.destroy();
    await owner?.destroy();
  });

  it('is not a superuser, has no BYPASSRLS and owns nothing', async () => {
    const p = await loginPrivileges(system);
    expect(p).toEqual({ role: 'herald_system', superuser: false, bypassRls: false, ownedRelations: 0 });
    expect(privilegedLoginProblem(p)).toBeUndefined();
  });

  it.each(TENANT_TABLES)('sees every tenant’s rows of %s in system scope, none without it', async (table) => {
    const seen = await system.query<Array<{ t: string }>>(
      `SELECT DISTINCT ${tenantColumn(table)} AS t FROM ${table} ORDER BY 1`,
    );
    expect(seen.map((r) => r.t)).toEqual([A, B]);
    expect(await tenantsSeen(plain, table)).toEqual([]);
    expect(await inTenant(plain, A, () => tenantsSeen(plain, table))).toEqual([A]);
  });

  it('changes rows but not the schema, and cannot become the owner', async () => {
    await system.query(`UPDATE webhook_endpoints SET label = 'changed' WHERE tenant = $1`, [A]);
    const [row] = await system.query<Array<{ label: string }>>(
      `SELECT label FROM webhook_endpoints WHERE tenant = $1`,
      [A],
    );
    expect(row?.label).toBe('changed');
    const refused = [
      'ALTER TABLE events DISABLE ROW LEVEL SECURITY',
      'ALTER TABLE events NO FORCE ROW LEVEL SECURITY',
      'DROP POLICY tenant_isolation ON api_keys',
      'TRUNCATE events',
      'DROP TABLE audit_log',
      'CREATE TABLE herald_system_probe (x int)',
      'DELETE FROM herald_migrations',
      `SET ROLE "${ownerRole}"`,
      `SET SESSION AUTHORIZATION "${ownerRole}"`,
    ];
    for (const sql of refused) {
      await expect(plain.query(sql)).rejects.toMatchObject({ code: '42501' });
    }
  });

  it('has the system_scope policy on every tenant table, migrations to come included', async () => {
    const rows = await owner.query<Array<{ table: string; roles: string[] }>>(`
      SELECT t.tablename AS table, p.roles::text[] AS roles
        FROM pg_policies t
        LEFT JOIN pg_policies p
          ON p.schemaname = t.schemaname AND p.tablename = t.tablename AND p.policyname = 'system_scope'
       WHERE t.schemaname = 'public' AND t.policyname = 'tenant_isolation'
       ORDER BY 1`);
    expect(rows.map((r) => r.table)).toEqual(expect.arrayContaining([...TENANT_TABLES]));
    for (const r of rows)
      expect({ table: r.table, roles: r.roles }).toEqual({
        table: r.table,
        roles: expect.arrayContaining(['herald_system', ownerRole]),
      });
  });

  it('runs tenant work as herald_app when no tenant pool is bound, unable to opt back in', async () => {
    const seen = await withTenant(system, A, (em) =>
      em.query(`SELECT current_user AS role, (SELECT array_agg(DISTINCT tenant) FROM api_keys) AS seen`),
    );
    expect(seen).toEqual([{ role: 'herald_app', seen: [A] }]);
    // Inside that switch, asking for system scope again shows nothing more.
    const again = await withTenant(system, A, async (em) => {
      await em.query(`SELECT set_config('herald.system', 'on', true)`);
      return em.query(`SELECT array_agg(DISTINCT tenant) AS seen FROM api_keys`);
    });
    expect(again).toEqual([{ seen: [A] }]);
  });

  it('keeps system scope when the URL sends server options of its own', async () => {
    const withOptions = new URL(systemUrl);
    withOptions.searchParams.set('options', '-c statement_timeout=4321');
    const ds = await createDataSource({ url: withOptions.toString(), poolSize: 1 }).initialize();
    try {
      const [row] = await ds.query<Array<{ timeout: string; seen: string[] }>>(
        `SELECT current_setting('statement_timeout') AS timeout,
                (SELECT array_agg(DISTINCT tenant ORDER BY tenant) FROM api_keys) AS seen`,
      );
      expect(row).toEqual({ timeout: '4321ms', seen: [A, B] });
    } finally {
      await ds.destroy();
    }
  });
});

describe('a schema owner that is not a superuser (FORCE ROW LEVEL SECURITY)', () => {
  const suffix = randomBytes(4).toString('hex');
  const role = `herald_owner_test_${suffix}`;
  const password = randomBytes(18).toString('base64url');
  let admin: Client;
  let url: string;
  let system: DataSource;
  let plain: Client;

  beforeAll(async () => {
    const adminUrl = process.env.HERALD_TEST_ADMIN_DATABASE_URL;
    if (!adminUrl) throw new Error('HERALD_TEST_ADMIN_DATABASE_URL is unset');
    admin = await connect(adminUrl);
    await admin.query(`CREATE ROLE ${role} LOGIN NOSUPERUSER NOCREATEROLE PASSWORD '${password}'`);
    // What an operator provisions once (docs/operations.md): herald_app, and the owner's right to grant it.
    await admin.query(`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'herald_app') THEN
          CREATE ROLE herald_app NOLOGIN NOINHERIT;
        END IF;
      END $$`);
    await admin.query(`GRANT herald_app TO ${role} WITH ADMIN OPTION`);
    await admin.query(`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'herald_system') THEN
          CREATE ROLE herald_system NOLOGIN NOINHERIT;
        END IF;
      END $$`);
    const dbUrl = new URL(await freshDatabase());
    const db = decodeURIComponent(dbUrl.pathname.slice(1));
    await admin.query(`ALTER DATABASE "${db}" OWNER TO ${role}`);
    dbUrl.username = role;
    dbUrl.password = password;
    url = dbUrl.toString();

    system = await createDataSource({ url, poolSize: 2 }).initialize();
    await migrate(system); // migrations run as this owner
    await seed(system, A);
    await seed(system, B);
    plain = await connect(url); // no herald.system: an owner session as psql would open it
  });
  afterAll(async () => {
    await plain?.end();
    await system?.destroy();
    await admin?.end();
  });

  it('owns the tables, and every table with row-level security forces it', async () => {
    const rows = await system.query<Array<{ relname: string; forced: boolean; owner: string }>>(`
      SELECT c.relname, c.relforcerowsecurity AS forced, pg_get_userbyid(c.relowner) AS owner
        FROM pg_class c
       WHERE c.relnamespace = 'public'::regnamespace AND c.relrowsecurity
       ORDER BY 1`);
    expect(rows.map((r) => r.relname)).toEqual(expect.arrayContaining([...TENANT_TABLES]));
    for (const r of rows) expect(r).toMatchObject({ forced: true, owner: role });
  });

  it.each(TENANT_TABLES)('sees no row of %s without a tenant or system scope', async (table) => {
    expect(await tenantsSeen(plain, table)).toEqual([]);
    expect(await inTenant(plain, A, () => tenantsSeen(plain, table))).toEqual([A]);
    const col = tenantColumn(table);
    const seen = await system.query<Array<{ t: string }>>(
      `SELECT DISTINCT ${col} AS t FROM ${table} ORDER BY 1`,
    );
    expect(seen.map((r) => r.t)).toEqual([A, B]);
  });
});
