/**
 * Admin console sessions over real HTTP and Postgres, with the real GatewayModule and a
 * probe behind the access guard: the cookie's flags, identical answers for unknown email
 * and wrong password, lockout with backoff and its audit rows, CSRF and Origin checks on
 * session writes, tenant binding, logout, disabled admins, idle and absolute expiry, and
 * row-level security on both tables from the herald_app login.
 */
import { Controller, Get, HttpCode, Module, Post } from '@nestjs/common';
import {
  AdminSessions,
  AdminsRepository,
  ADMIN_SESSION_COOKIE,
  ExpiredTokenSweeper,
  generatePassword,
} from '@herald/access';
import { SCOPES } from '@herald/contracts';
import {
  ApiCaller,
  bindTenantDataSource,
  Caller,
  createDataSource,
  migrate,
  provisionLogin,
  PublicApi,
  RequireScopes,
  TenantsRepository,
} from '@herald/platform';
import { createHash } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { GatewayModule } from '../../apps/gateway/src/gateway.module';
import { ApiResponse, apiRequest, mintTestKey } from '../support/api-keys';
import { startTestApp, TestApp } from '../support/app';
import { eventually, freshDatabase, uniqueName } from '../support/infra';

const PROBE = '/api/v1/admin-probe';
const SESSION = '/admin/api/session';

@PublicApi()
@Controller('api/v1/admin-probe')
class AdminProbeController {
  @Get()
  @RequireScopes('events:read')
  read(@Caller() caller: ApiCaller): ApiCaller {
    return caller;
  }

  @Post()
  @HttpCode(201)
  @RequireScopes('webhooks:manage')
  write(@Caller() caller: ApiCaller): ApiCaller {
    return caller;
  }
}

@Module({ controllers: [AdminProbeController] })
class AdminProbeModule {}

interface Login {
  cookie: string;
  token: string;
  csrf: string;
  res: ApiResponse;
}

function cookieOf(res: ApiResponse): string | undefined {
  const set = res.headers['set-cookie'];
  return Array.isArray(set) ? set[0] : set;
}

describe('admin sessions', () => {
  let t: TestApp;
  let admins: AdminsRepository;
  const a = uniqueName('adm-a');
  const b = uniqueName('adm-b');
  const emailA = 'Owner@Example.com';
  const emailB = 'owner@example.com';
  const passwordA = generatePassword();
  const passwordB = generatePassword();

  const call = (tenant: string, method: string, path: string, opts: Parameters<typeof apiRequest>[2] = {}) =>
    apiRequest(t.baseUrl, path, { tenant, method, ...opts });

  async function login(tenant: string, email: string, password: string, app = t): Promise<Login> {
    const res = await apiRequest(app.baseUrl, SESSION, { tenant, method: 'POST', body: { email, password } });
    expect(res.status).toBe(200);
    const setCookie = cookieOf(res)!;
    const token = /^herald_admin_session=([^;]+)/.exec(setCookie)![1]!;
    return { cookie: `${ADMIN_SESSION_COOKIE}=${token}`, token, csrf: res.body.data.csrf_token, res };
  }

  async function auditOf(
    tenant: string,
    action: string,
  ): Promise<Array<{ actor: string; target_id: string; details: any }>> {
    return t.ds.query(
      `SELECT actor, target_id, details FROM audit_log WHERE tenant = $1 AND action = $2 ORDER BY id`,
      [tenant, action],
    );
  }

  beforeAll(async () => {
    t = await startTestApp([GatewayModule, AdminProbeModule]);
    admins = new AdminsRepository(t.ds);
    const tenants = new TenantsRepository(t.ds);
    await tenants.create(a, 'Tenant A');
    await tenants.create(b);
    await admins.create({ tenant: a, email: emailA, password: passwordA, actor: 'test' });
    await admins.create({ tenant: b, email: emailB, password: passwordB, actor: 'test' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('logs in and sets an httpOnly, SameSite=Strict, Secure cookie whose token is stored hashed', async () => {
    const { res, token } = await login(a, emailA, passwordA);
    expect(res.body.data).toEqual({
      email: emailA.toLowerCase(),
      tenant: a,
      tenant_name: 'Tenant A',
      csrf_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      expires_at: expect.any(String),
      idle_timeout_seconds: 1800,
    });
    const ttl = Date.parse(res.body.data.expires_at) - Date.now();
    expect(ttl).toBeGreaterThan(12 * 3600_000 - 60_000);
    expect(ttl).toBeLessThanOrEqual(12 * 3600_000);
    // NODE_ENV=test is not development: the cookie is Secure.
    expect(cookieOf(res)).toBe(
      `${ADMIN_SESSION_COOKIE}=${token}; Path=/; Max-Age=43200; HttpOnly; SameSite=Strict; Secure`,
    );
    expect(res.headers['cache-control']).toBe('no-store');
    const rows: Array<{ id: Buffer; csrf_hash: Buffer }> = await t.ds.query(
      `SELECT id, csrf_hash FROM admin_sessions WHERE tenant = $1`,
      [a],
    );
    const id = createHash('sha256').update(token).digest();
    expect(rows.some((r) => r.id.equals(id))).toBe(true);
    const stored = JSON.stringify(await t.ds.query(`SELECT * FROM admin_sessions`));
    expect(stored).not.toContain(token);
    expect(stored).not.toContain(res.body.data.csrf_token);
    const [admin] = await t.ds.query(
      `SELECT password_hash, last_login_at FROM tenant_admins WHERE tenant = $1`,
      [a],
    );
    expect(admin.password_hash).toMatch(/^scrypt\$/);
    expect(admin.last_login_at).not.toBeNull();
    expect((await auditOf(a, 'admin.login')).at(-1)).toMatchObject({
      actor: `admin:${emailA.toLowerCase()}`,
      details: { email: emailA.toLowerCase() },
    });
  });

  it('describes the current session, CSRF token included, and refuses without one', async () => {
    const s = await login(a, emailA, passwordA);
    const res = await call(a, 'GET', SESSION, { headers: { cookie: s.cookie } });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ email: emailA.toLowerCase(), tenant: a, csrf_token: s.csrf });
    const none = await call(a, 'GET', SESSION);
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('not_authenticated');
    const forged = await call(a, 'GET', SESSION, {
      headers: { cookie: `${ADMIN_SESSION_COOKIE}=${'A'.repeat(43)}` },
    });
    expect(forged.status).toBe(401);
  });

  it('answers an unknown email and a wrong password identically', async () => {
    const unknown = await call(a, 'POST', SESSION, {
      body: { email: 'nobody@example.com', password: 'x'.repeat(20) },
    });
    const wrong = await call(a, 'POST', SESSION, { body: { email: emailA, password: 'x'.repeat(20) } });
    const foreign = await call(a, 'POST', SESSION, { body: { email: emailB, password: passwordB } });
    for (const res of [unknown, wrong, foreign]) {
      expect(res.status).toBe(401);
      expect(res.body.error).toEqual({
        code: 'invalid_credentials',
        message: 'the email or password is not correct',
      });
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    const failed = await auditOf(a, 'admin.login_failed');
    expect(failed.map((r) => r.details.reason)).toEqual(
      expect.arrayContaining(['unknown_email', 'wrong_password']),
    );
    // The one wrong password counted; log in again to reset it for the tests below.
    await login(a, emailA, passwordA);
  });

  it('refuses a malformed body with 400', async () => {
    const res = await call(a, 'POST', SESSION, { body: { email: emailA } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('bad_request');
  });

  it('locks after 5 failures, refuses even the right password while locked, and doubles the lock', async () => {
    const email = 'locked@example.com';
    const password = generatePassword();
    await admins.create({ tenant: a, email, password, actor: 'test' });
    const wrong = () => call(a, 'POST', SESSION, { body: { email, password: 'not-the-password-1' } });
    for (let i = 1; i <= 4; i++) expect((await wrong()).status).toBe(401);
    const fifth = await wrong();
    expect(fifth.status).toBe(429);
    expect(fifth.body.error.code).toBe('account_locked');
    expect(fifth.headers['retry-after']).toBe('60');
    expect(fifth.body.error.details).toEqual({ retry_after_seconds: 60 });

    const right = await call(a, 'POST', SESSION, { body: { email, password } });
    expect(right.status).toBe(429);
    expect(right.body.error.code).toBe('account_locked');
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(0);
    const [state] = await t.ds.query(
      `SELECT failed_attempts FROM tenant_admins WHERE tenant = $1 AND email = $2`,
      [a, email],
    );
    expect(state.failed_attempts).toBe(5); // a locked attempt is not counted, nor verified

    // The lock runs out; one more failure locks it for twice as long.
    await t.ds.query(
      `UPDATE tenant_admins SET locked_until = now() - interval '1 second' WHERE tenant = $1 AND email = $2`,
      [a, email],
    );
    const sixth = await wrong();
    expect(sixth.status).toBe(429);
    expect(sixth.headers['retry-after']).toBe('120');

    const locked = (await auditOf(a, 'admin.locked')).filter((r) => r.details.email === email);
    expect(locked.map((r) => r.details.locked_seconds)).toEqual([60, 120]);
    const failed = (await auditOf(a, 'admin.login_failed')).filter((r) => r.details.email === email);
    expect(failed.map((r) => r.details.reason)).toEqual([
      ...Array(5).fill('wrong_password'),
      'locked',
      'wrong_password',
    ]);

    await t.ds.query(
      `UPDATE tenant_admins SET locked_until = now() - interval '1 second' WHERE tenant = $1 AND email = $2`,
      [a, email],
    );
    await login(a, email, password);
    const [reset] = await t.ds.query(
      `SELECT failed_attempts, locked_until FROM tenant_admins WHERE tenant = $1 AND email = $2`,
      [a, email],
    );
    expect(reset).toEqual({ failed_attempts: 0, locked_until: null });
  });

  it('locks an email no admin has, or a disabled admin has, exactly as an admin’s account', async () => {
    const real = 'counted@example.com';
    const disabled = 'gone-admin@example.com';
    const stranger = 'stranger@example.com';
    await admins.create({ tenant: a, email: real, password: generatePassword(), actor: 'test' });
    await admins.create({ tenant: a, email: disabled, password: generatePassword(), actor: 'test' });
    await admins.disable(a, disabled, 'test');
    const answers = async (email: string): Promise<unknown[]> => {
      const out: unknown[] = [];
      for (let i = 1; i <= 6; i++) {
        const res = await call(a, 'POST', SESSION, { body: { email, password: 'not-the-password-1' } });
        out.push({ status: res.status, retryAfter: res.headers['retry-after'], error: res.body.error });
      }
      return out;
    };
    const expected = await answers(real);
    expect(expected.map((r) => (r as { status: number }).status)).toEqual([401, 401, 401, 401, 429, 429]);
    expect(await answers(stranger)).toEqual(expected);
    expect(await answers(disabled)).toEqual(expected);
    const [row] = await t.ds.query(
      `SELECT failed_attempts, locked_until > now() AS locked FROM admin_login_failures WHERE tenant = $1 AND email = $2`,
      [a, stranger],
    );
    expect(row).toEqual({ failed_attempts: 5, locked: true });
    const locked = (await auditOf(a, 'admin.locked')).filter((r) => r.details.email === stranger);
    expect(locked.map((r) => r.details.locked_seconds)).toEqual([60]);
  });

  it('counts failures a day apart as not consecutive, and deletes what it has forgotten', async () => {
    const real = 'forgetful@example.com';
    const stranger = 'forgotten@example.com';
    const other = 'long-ago@example.com';
    await admins.create({ tenant: a, email: real, password: generatePassword(), actor: 'test' });
    const fail = (email: string) =>
      call(a, 'POST', SESSION, { body: { email, password: 'not-the-password-1' } });
    for (const email of [real, stranger])
      for (let i = 1; i <= 4; i++) expect((await fail(email)).status).toBe(401);
    expect((await fail(other)).status).toBe(401);
    // Four failures, then a day and a minute without any: the fifth is the first again.
    await t.ds.query(
      `UPDATE tenant_admins SET last_failed_at = now() - interval '1 day 1 minute' WHERE tenant = $1 AND email = $2`,
      [a, real],
    );
    await t.ds.query(
      `UPDATE admin_login_failures SET last_failed_at = now() - interval '1 day 1 minute'
        WHERE tenant = $1 AND email = ANY($2::text[])`,
      [a, [stranger, other]],
    );
    expect((await fail(real)).status).toBe(401);
    expect((await fail(stranger)).status).toBe(401);
    const [admin] = await t.ds.query(
      `SELECT failed_attempts FROM tenant_admins WHERE tenant = $1 AND email = $2`,
      [a, real],
    );
    expect(admin.failed_attempts).toBe(1);
    const rows = await t.ds.query(
      `SELECT email, failed_attempts FROM admin_login_failures WHERE tenant = $1 AND email = ANY($2::text[]) ORDER BY email`,
      [a, [stranger, other]],
    );
    // The other email's row, forgotten and unlocked, went as this failure was counted.
    expect(rows).toEqual([{ email: stranger, failed_attempts: 1 }]);
  });

  it('deletes sessions that ended an hour ago in the gateway’s sweep, and keeps the others', async () => {
    const email = 'sweeper@example.com';
    const password = generatePassword();
    await admins.create({ tenant: b, email, password, actor: 'test' });
    const sessions = {
      live: await login(b, email, password),
      justEnded: await login(b, email, password),
      loggedOut: await login(b, email, password),
      idle: await login(b, email, password),
      pastEnd: await login(b, email, password),
    };
    const idOf = (s: Login): Buffer => createHash('sha256').update(s.token).digest();
    const age = async (s: Login, set: string): Promise<void> => {
      await t.ds.query(`UPDATE admin_sessions SET ${set} WHERE id = $1`, [idOf(s)]);
    };
    await age(sessions.justEnded, `revoked_at = now() - interval '59 minutes'`);
    await age(sessions.loggedOut, `revoked_at = now() - interval '61 minutes'`);
    // The idle timeout is 30 minutes: unused for 91 minutes is an hour past it.
    await age(sessions.idle, `last_seen_at = now() - interval '91 minutes'`);
    await age(sessions.pastEnd, `expires_at = now() - interval '61 minutes'`);
    await t.app.get(ExpiredTokenSweeper).sweep();
    const rows: Array<{ id: Buffer }> = await t.ds.query(`SELECT id FROM admin_sessions WHERE tenant = $1`, [
      b,
    ]);
    const kept = Object.entries(sessions)
      .filter(([, s]) => rows.some((r) => r.id.equals(idOf(s))))
      .map(([name]) => name);
    expect(kept).toEqual(['live', 'justEnded']);
    const live = await call(b, 'GET', SESSION, { headers: { cookie: sessions.live.cookie } });
    expect(live.status).toBe(200);
  });

  it('admits a session on the API with every scope, and requires the CSRF token on writes', async () => {
    const s = await login(a, emailA, passwordA);
    const read = await call(a, 'GET', PROBE, { headers: { cookie: s.cookie } });
    expect(read.status).toBe(200);
    expect(read.body.data).toEqual({
      tenant: a,
      actor: `admin:${emailA.toLowerCase()}`,
      keyId: null,
      scopes: [...SCOPES],
    });
    expect(read.headers['ratelimit-limit']).toBe('600');

    const noToken = await call(a, 'POST', PROBE, { headers: { cookie: s.cookie } });
    expect(noToken.status).toBe(403);
    expect(noToken.body.error.code).toBe('csrf_failed');
    const badToken = await call(a, 'POST', PROBE, {
      headers: { cookie: s.cookie, 'x-csrf-token': 'B'.repeat(43) },
    });
    expect(badToken.status).toBe(403);
    expect(badToken.body.error.code).toBe('csrf_failed');
    const other = await login(a, emailA, passwordA);
    const othersToken = await call(a, 'POST', PROBE, {
      headers: { cookie: s.cookie, 'x-csrf-token': other.csrf },
    });
    expect(othersToken.status).toBe(403);

    const ok = await call(a, 'POST', PROBE, { headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } });
    expect(ok.status).toBe(201);
    expect(ok.body.data.actor).toBe(`admin:${emailA.toLowerCase()}`);

    const port = new URL(t.baseUrl).port;
    const crossOrigin = await call(a, 'POST', PROBE, {
      headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, origin: `http://evil.localhost:${port}` },
    });
    expect(crossOrigin.status).toBe(403);
    expect(crossOrigin.body.error.code).toBe('csrf_failed');
    const sameOrigin = await call(a, 'POST', PROBE, {
      headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, origin: `http://${a}.localhost:${port}` },
    });
    expect(sameOrigin.status).toBe(201);

    const logoutNoToken = await call(a, 'DELETE', SESSION, { headers: { cookie: s.cookie } });
    expect(logoutNoToken.status).toBe(403);
    expect((await call(a, 'GET', SESSION, { headers: { cookie: s.cookie } })).status).toBe(200);
  });

  it('names the admin in the audit rows of changes made through the session', async () => {
    const s = await login(a, emailA, passwordA);
    const res = await call(a, 'POST', '/api/v1/webhooks', {
      headers: { cookie: s.cookie, 'x-csrf-token': s.csrf },
      body: { url: 'https://93.184.216.34/hooks/herald', events: ['post.*'] },
    });
    expect(res.status).toBe(201);
    const rows = await t.ds.query(
      `SELECT actor, action FROM audit_log WHERE tenant = $1 AND target_id = $2`,
      [a, res.body.data.id],
    );
    expect(rows).toEqual([{ actor: `admin:${emailA.toLowerCase()}`, action: 'webhook_endpoint.created' }]);
  });

  it('keeps API keys working exactly as before, cookie or not', async () => {
    const key = await mintTestKey(t.ds, a, ['events:read']);
    const s = await login(a, emailA, passwordA);
    const res = await call(a, 'GET', PROBE, { key: key.key, headers: { cookie: s.cookie } });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      tenant: a,
      actor: `key:${key.id}`,
      keyId: key.id,
      scopes: ['events:read'],
    });
    // A bearer request is never a session one: no CSRF token needed, and its scopes are the key's.
    const write = await call(a, 'POST', PROBE, { key: key.key, headers: { cookie: s.cookie } });
    expect(write.status).toBe(403);
    expect(write.body.error.code).toBe('insufficient_scope');
  });

  it("refuses a session of tenant B on tenant A's host", async () => {
    const s = await login(b, emailB, passwordB);
    expect((await call(b, 'GET', PROBE, { headers: { cookie: s.cookie } })).status).toBe(200);
    const onA = await call(a, 'GET', PROBE, { headers: { cookie: s.cookie } });
    expect(onA.status).toBe(401);
    expect(onA.body.error.code).toBe('not_authenticated');
    expect((await call(a, 'GET', SESSION, { headers: { cookie: s.cookie } })).status).toBe(401);
    expect(
      (await call(a, 'DELETE', SESSION, { headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } })).status,
    ).toBe(401);
    expect((await call(b, 'GET', SESSION, { headers: { cookie: s.cookie } })).status).toBe(200);
  });

  it('logs out: the session is revoked, the cookie cleared, and the logout audited', async () => {
    const s = await login(a, emailA, passwordA);
    const out = await call(a, 'DELETE', SESSION, { headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } });
    expect(out.status).toBe(200);
    expect(cookieOf(out)).toBe(
      `${ADMIN_SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict; Secure`,
    );
    expect((await call(a, 'GET', SESSION, { headers: { cookie: s.cookie } })).status).toBe(401);
    expect((await call(a, 'GET', PROBE, { headers: { cookie: s.cookie } })).status).toBe(401);
    expect((await auditOf(a, 'admin.logout')).at(-1)).toMatchObject({
      actor: `admin:${emailA.toLowerCase()}`,
    });
  });

  it("ends a disabled admin's sessions and refuses their logins", async () => {
    const email = 'leaver@example.com';
    const password = generatePassword();
    await admins.create({ tenant: a, email, password, actor: 'test' });
    const s1 = await login(a, email, password);
    const s2 = await login(a, email, password);
    const res = await admins.disable(a, email, 'cli:test');
    expect(res).toMatchObject({ alreadyDisabled: false, revokedSessions: 2 });
    for (const s of [s1, s2]) {
      expect((await call(a, 'GET', SESSION, { headers: { cookie: s.cookie } })).status).toBe(401);
      expect((await call(a, 'GET', PROBE, { headers: { cookie: s.cookie } })).status).toBe(401);
    }
    const again = await call(a, 'POST', SESSION, { body: { email, password } });
    expect(again.status).toBe(401);
    expect(again.body.error.code).toBe('invalid_credentials');
    expect(await admins.disable(a, email, 'cli:test')).toMatchObject({ alreadyDisabled: true });
    const disabled = (await auditOf(a, 'admin.disabled')).filter((r) => r.details.email === email);
    expect(disabled).toEqual([
      expect.objectContaining({ actor: 'cli:test', details: { email, revoked_sessions: 2 } }),
    ]);
  });

  describe('expiry', () => {
    let short: TestApp;
    const idleMs = 1500;
    const ttlMs = 5000;
    beforeAll(async () => {
      short = await startTestApp([GatewayModule], {
        adminSessions: { idleTimeoutMs: idleMs, ttlMs, secureCookie: false },
      });
    });
    afterAll(async () => {
      await short?.close();
    });
    const get = (s: Login) =>
      apiRequest(short.baseUrl, SESSION, { tenant: a, headers: { cookie: s.cookie } });

    it('slides the idle timeout while used, and ends the session once idle', async () => {
      const s = await login(a, emailA, passwordA, short);
      expect(cookieOf(s.res)).not.toContain('Secure'); // as configured for development
      const started = Date.now();
      while (Date.now() - started < idleMs * 2) {
        expect((await get(s)).status).toBe(200);
        await new Promise((r) => setTimeout(r, 300));
      }
      const id = createHash('sha256').update(s.token).digest();
      // Wait for the fact: the session has been idle longer than the timeout.
      await eventually(async () => {
        const [row] = await short.ds.query(
          `SELECT now() - last_seen_at > $2::bigint * interval '1 millisecond' AS idle FROM admin_sessions WHERE id = $1`,
          [id, idleMs],
        );
        return row?.idle === true;
      });
      const res = await get(s);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('not_authenticated');
    });

    it('ends a session at its absolute end however much it is used', async () => {
      const s = await login(a, emailA, passwordA, short);
      const expiresAt = Date.parse(s.res.body.data.expires_at);
      const ended = await eventually(
        async () => {
          const res = await get(s);
          return res.status === 401 ? Date.now() : undefined;
        },
        ttlMs + 10_000,
        250,
      );
      expect(ended).toBeGreaterThanOrEqual(expiresAt - 1000);
    });
  });
});

describe('admin tables under row-level security (herald_app login)', () => {
  const A = 'adm-rls-a';
  const B = 'adm-rls-b';
  let owner: DataSource;
  let appDs: DataSource;
  let app: Client;

  beforeAll(async () => {
    const url = await freshDatabase();
    owner = await createDataSource({ url, poolSize: 2 }).initialize();
    await migrate(owner);
    const appUrl = await provisionLogin(owner, url, 'herald_app');
    if (!appUrl) throw new Error('the test server did not let herald_app log in');
    appDs = await createDataSource({ url: appUrl, poolSize: 2, scope: 'tenant' }).initialize();
    bindTenantDataSource(owner, appDs);
    const sessions = new AdminSessions(owner, { idleTimeoutMs: 60_000, ttlMs: 3600_000 });
    for (const tenant of [A, B]) {
      await new TenantsRepository(owner).create(tenant);
      const password = generatePassword();
      await new AdminsRepository(owner).create({
        tenant,
        email: `root@${tenant}.example`,
        password,
        actor: 'test',
      });
      expect((await sessions.login(tenant, `root@${tenant}.example`, password)).ok).toBe(true);
    }
    app = new Client({ connectionString: appUrl });
    await app.connect();
  });
  afterAll(async () => {
    await app?.end();
    await appDs?.destroy();
    await owner?.destroy();
  });

  const seen = async (table: string): Promise<string[]> =>
    (await app.query<{ t: string }>(`SELECT DISTINCT tenant AS t FROM ${table} ORDER BY 1`)).rows.map(
      (r) => r.t,
    );
  async function inTenant<T>(tenant: string, work: () => Promise<T>): Promise<T> {
    await app.query('BEGIN');
    try {
      await app.query(`SELECT set_config('herald.tenant', $1, true)`, [tenant]);
      return await work();
    } finally {
      await app.query('ROLLBACK');
    }
  }

  it.each(['tenant_admins', 'admin_sessions'])('shows %s of the scoped tenant only', async (table) => {
    expect(await seen(table)).toEqual([]);
    expect(await inTenant(A, () => seen(table))).toEqual([A]);
    expect(await inTenant(B, () => seen(table))).toEqual([B]);
  });

  it("cannot write another tenant's admin or touch its sessions", async () => {
    await inTenant(A, async () => {
      await expect(
        app.query(
          `INSERT INTO tenant_admins (id, tenant, email, password_hash) VALUES ('x', $1, 'x@y.z', 'h')`,
          [B],
        ),
      ).rejects.toMatchObject({ code: '42501' });
    });
    await inTenant(A, async () => {
      const res = await app.query(`UPDATE admin_sessions SET revoked_at = now() WHERE tenant = $1`, [B]);
      expect(res.rowCount).toBe(0);
    });
  });

  it('lists admins through the tenant pool within the tenant only', async () => {
    const list = await new AdminsRepository(owner).list(A);
    expect(list.map((x) => x.email)).toEqual([`root@${A}.example`]);
  });
});
