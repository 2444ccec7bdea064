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
  assertTenantLogin,
  bindTenantDataSource,
  ConfigError,
  createDataSource,
  loadConfig,
  loginPrivileges,
  migrate,
  projectRoot,
  provisionAppLogin,
  readAsTenant,
  tenantLoginProblem,
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
    `INSERT INTO events (seq, id, tenant, type, created_at, data, subject_id)
       VALUES (nextval('events_seq'), $1 || '-e', $1, 'post.created', now(), '{}', '1')`,
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

  beforeAll(async () => {
    url = await freshDatabase();
    owner = await createDataSource({ url, poolSize: 2 }).initialize();
    await migrate(owner);
    const provisioned = await provisionAppLogin(owner, url);
    if (!provisioned) throw new Error('the test server did not let herald_app log in');
    appUrl = provisioned;
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
    expect(tenantLoginProblem(p)).toBeUndefined();
    // The owner's login (a superuser here) is what production refuses for tenant work.
    expect(tenantLoginProblem(await loginPrivileges(owner))).toMatch(/superuser/);
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
    const refused = assertTenantLogin(production({}));
    await expect(refused).rejects.toBeInstanceOf(ConfigError);
    await expect(refused).rejects.toThrow(/is a superuser: set HERALD_DATABASE_APP_URL/);
    await expect(assertTenantLogin(production({ HERALD_DATABASE_APP_URL: url }))).rejects.toThrow(
      /superuser/,
    );
    await expect(assertTenantLogin(production({ HERALD_DATABASE_APP_URL: appUrl }))).resolves.toBeUndefined();
    await expect(
      assertTenantLogin(production({ HERALD_DATABASE_ALLOW_PRIVILEGED_APP: 'true' })),
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
