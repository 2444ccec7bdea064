/**
 * The access guard over real HTTP and Postgres, booted with the real GatewayModule and
 * a probe controller declared here: tenant by Host, one 401 for every key problem,
 * scopes, revocation on the next request, expiry, rate limits and the daily quota,
 * the usage log, and the refusal of public routes that declare no scopes.
 */
import { Controller, Get, HttpCode, Module, Patch, Post } from '@nestjs/common';
import {
  ApiKeysRepository,
  KeyCache,
  QuotaDays,
  UsageRecorder,
  waitForAccessPropagation,
} from '@herald/access';
import { SCOPES, Scope } from '@herald/contracts';
import {
  ApiCaller,
  Caller,
  DomainError,
  PublicApi,
  REQUIRED_SCOPES,
  RequireScopes,
  TenantsRepository,
} from '@herald/platform';
import { GatewayModule } from '../../apps/gateway/src/gateway.module';
import { ApiResponse, apiRequest, mintTestKey, TestKey } from '../support/api-keys';
import { startTestApp, TestApp } from '../support/app';
import { eventually, uniqueName } from '../support/infra';

const PROBE = '/api/v1/access-probe';
let handlerCalls = 0;

@PublicApi()
@Controller('api/v1/access-probe')
class AccessProbeController {
  @Get('events')
  @RequireScopes('events:read')
  events(@Caller() caller: ApiCaller): { tenant: string; key_id: string | null; actor: string } {
    handlerCalls++;
    return { tenant: caller.tenant, key_id: caller.keyId, actor: caller.actor };
  }

  @Get('users')
  @RequireScopes('users:read')
  users(): string {
    return 'users';
  }

  @Get('posts')
  @RequireScopes('posts:read')
  posts(): string {
    return 'posts';
  }

  @Get('webhooks')
  @RequireScopes('webhooks:read')
  webhooks(): string {
    return 'webhooks';
  }

  @Post('webhooks')
  @HttpCode(201)
  @RequireScopes('webhooks:manage')
  manageWebhooks(): string {
    return 'created';
  }

  @Get('keys')
  @RequireScopes('keys:read')
  keys(): string {
    return 'keys';
  }

  @Post('keys')
  @HttpCode(201)
  @RequireScopes('keys:manage')
  manageKeys(): string {
    return 'created';
  }

  @Get('audit')
  @RequireScopes('audit:read')
  audit(): string {
    return 'audit';
  }

  @Get('settings')
  @RequireScopes('settings:read')
  settings(): string {
    return 'settings';
  }

  @Patch('settings')
  @RequireScopes('settings:manage')
  manageSettings(): string {
    return 'changed';
  }

  @Get('conflict')
  @RequireScopes('events:read')
  conflict(): never {
    throw new DomainError('probe_conflict', 'the handler refused', 409);
  }
}

/** Which route each scope opens. */
const ROUTE_OF: Record<Scope, { method: string; path: string; status: number }> = {
  'events:read': { method: 'GET', path: `${PROBE}/events`, status: 200 },
  'users:read': { method: 'GET', path: `${PROBE}/users`, status: 200 },
  'posts:read': { method: 'GET', path: `${PROBE}/posts`, status: 200 },
  'webhooks:read': { method: 'GET', path: `${PROBE}/webhooks`, status: 200 },
  'webhooks:manage': { method: 'POST', path: `${PROBE}/webhooks`, status: 201 },
  'keys:read': { method: 'GET', path: `${PROBE}/keys`, status: 200 },
  'keys:manage': { method: 'POST', path: `${PROBE}/keys`, status: 201 },
  'audit:read': { method: 'GET', path: `${PROBE}/audit`, status: 200 },
  'settings:read': { method: 'GET', path: `${PROBE}/settings`, status: 200 },
  'settings:manage': { method: 'PATCH', path: `${PROBE}/settings`, status: 200 },
};

@Module({ controllers: [AccessProbeController] })
class AccessProbeModule {}

/** Fixed one-minute windows: keep a burst of requests inside one. */
async function awayFromMinuteEdge(): Promise<void> {
  const intoMinute = Date.now() % 60_000;
  if (intoMinute > 50_000) await new Promise((r) => setTimeout(r, 60_000 - intoMinute + 100));
}

function expectInvalidKey(res: ApiResponse): void {
  expect(res.status).toBe(401);
  expect(res.body.error).toEqual({
    code: 'invalid_api_key',
    message: 'a valid API key for this tenant is required: send Authorization: Bearer <key>',
  });
  expect(res.headers['www-authenticate']).toBe('Bearer realm="herald"');
  expect(res.headers['ratelimit-limit']).toBeUndefined();
}

describe('access guard', () => {
  let t: TestApp;
  let repo: ApiKeysRepository;
  const a = uniqueName('guard-a');
  const b = uniqueName('guard-b');
  const c = uniqueName('guard-c');
  const get = (
    tenant: string | null,
    path: string,
    key?: string,
    extra: Parameters<typeof apiRequest>[2] = {},
  ) => apiRequest(t.baseUrl, path, { tenant, key, ...extra });

  beforeAll(async () => {
    t = await startTestApp([GatewayModule, AccessProbeModule]);
    repo = new ApiKeysRepository(t.ds);
    const tenants = new TenantsRepository(t.ds);
    for (const slug of [a, b, c]) await tenants.create(slug);
  });
  afterAll(async () => {
    await t.close();
  });

  describe('tenant and key', () => {
    let keyA: TestKey;
    beforeAll(async () => {
      keyA = await mintTestKey(t.ds, a, ['events:read']);
    });

    it("serves A's key on A, with the caller set from the Host", async () => {
      const res = await get(a, `${PROBE}/events`, keyA.key);
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual({ tenant: a, key_id: keyA.id, actor: `key:${keyA.id}` });
      expect(res.body.meta.request_id).toBe(res.headers['x-request-id']);
    });

    it("answers A's key with the same 401 on B and on C", async () => {
      const onB = await get(b, `${PROBE}/events`, keyA.key);
      const onC = await get(c, `${PROBE}/events`, keyA.key);
      expectInvalidKey(onB);
      expectInvalidKey(onC);
      expect(onB.body.error).toEqual(onC.body.error);
    });

    it.each([
      ['no Authorization header', {}],
      ['an empty Bearer', { authorization: 'Bearer ' }],
      ['another scheme', { authorization: 'Basic dXNlcjpwYXNz' }],
      ['a malformed key', { authorization: 'Bearer mc_live_tooshort' }],
      ['a key of no known shape', { authorization: 'Bearer sk_live_' + 'a'.repeat(43) }],
      ['an unknown well-formed key', { authorization: 'Bearer mc_live_' + 'A'.repeat(43) }],
    ])('answers %s with the same 401', async (_, opts) => {
      expectInvalidKey(await get(a, `${PROBE}/events`, undefined, opts));
    });

    it('answers 404 tenant_not_found for an unknown tenant or a Host outside the base domain', async () => {
      for (const host of [
        'nobody-here.localhost',
        '127.0.0.1',
        'localhost',
        `${a}.example.com`,
        `x.${a}.localhost`,
      ]) {
        const port = new URL(t.baseUrl).port;
        const res = await get(null, `${PROBE}/events`, keyA.key, { host: `${host}:${port}` });
        expect({ host, status: res.status, code: res.body.error?.code }).toEqual({
          host,
          status: 404,
          code: 'tenant_not_found',
        });
      }
    });

    it('answers 404 for a disabled tenant, on the next request', async () => {
      const d = uniqueName('guard-d');
      await new TenantsRepository(t.ds).create(d);
      const key = await mintTestKey(t.ds, d, ['events:read']);
      expect((await get(d, `${PROBE}/events`, key.key)).status).toBe(200);
      await t.ds.query(`UPDATE tenants SET disabled_at = now() WHERE slug = $1`, [d]);
      expect(await waitForAccessPropagation(t.ds)).toBe(0);
      const res = await get(d, `${PROBE}/events`, key.key);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('tenant_not_found');
    });

    it('refuses an expired key, including one that expires while cached', async () => {
      const expired = await mintTestKey(t.ds, a, ['events:read'], { expiresAt: new Date(Date.now() - 1000) });
      expectInvalidKey(await get(a, `${PROBE}/events`, expired.key));

      const expiresAt = new Date(Date.now() + 1500);
      const soon = await mintTestKey(t.ds, a, ['events:read'], { expiresAt });
      expect((await get(a, `${PROBE}/events`, soon.key)).status).toBe(200);
      await new Promise((r) => setTimeout(r, expiresAt.getTime() - Date.now() + 50));
      expectInvalidKey(await get(a, `${PROBE}/events`, soon.key));
    });
  });

  describe('scopes', () => {
    it.each(SCOPES.map((s) => [s]))(
      '%s: 403 insufficient_scope without it, served with it',
      async (scope) => {
        const route = ROUTE_OF[scope];
        const without = await mintTestKey(
          t.ds,
          a,
          SCOPES.filter((s) => s !== scope),
        );
        const refused = await get(a, route.path, without.key, { method: route.method });
        expect(refused.status).toBe(403);
        expect(refused.body.error).toEqual({
          code: 'insufficient_scope',
          message: `this API key lacks the scope ${scope}`,
          details: { required_scopes: [scope], missing_scopes: [scope] },
        });
        expect(refused.headers['ratelimit-limit']).toBeDefined();

        const only = await mintTestKey(t.ds, a, [scope]);
        const served = await get(a, route.path, only.key, { method: route.method });
        expect(served.status).toBe(route.status);
      },
    );
  });

  describe('revocation', () => {
    it('takes effect on the next request (through the repository)', async () => {
      const key = await repo.create({ tenant: a, scopes: ['events:read'], actor: 'test' });
      for (let i = 0; i < 3; i++) expect((await get(a, `${PROBE}/events`, key.key)).status).toBe(200);
      expect(await repo.revoke(a, key.id, 'test')).toMatchObject({ unconfirmedGateways: 0 });
      expectInvalidKey(await get(a, `${PROBE}/events`, key.key));
    });

    it('takes effect on the next request while the change listener is down, and after it is back', async () => {
      const cache = t.app.get(KeyCache);
      const key = await repo.create({ tenant: a, scopes: ['events:read'], actor: 'test' });
      expect((await get(a, `${PROBE}/events`, key.key)).status).toBe(200);
      await t.ds.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE application_name = 'herald-access-listener' AND datname = current_database()`,
      );
      await eventually(async () => !cache.isTrusted());
      // The notification of this revocation reaches nobody; the cache must not be trusted.
      await repo.revoke(a, key.id, 'test');
      expectInvalidKey(await get(a, `${PROBE}/events`, key.key));

      await eventually(async () => cache.isTrusted());
      const next = await repo.create({ tenant: a, scopes: ['events:read'], actor: 'test' });
      expect((await get(a, `${PROBE}/events`, next.key)).status).toBe(200);
      await repo.revoke(a, next.id, 'test');
      expectInvalidKey(await get(a, `${PROBE}/events`, next.key));
    });
  });

  describe('rate limits', () => {
    it('reports RateLimit-* on every authenticated response and answers 429 with Retry-After', async () => {
      await awayFromMinuteEdge();
      const key = await mintTestKey(t.ds, a, ['events:read'], { ratePerMinute: 3 });
      const first = await get(a, `${PROBE}/events`, key.key);
      expect(first.status).toBe(200);
      expect(first.headers['ratelimit-limit']).toBe('3');
      expect(first.headers['ratelimit-remaining']).toBe('2');
      const reset = Number(first.headers['ratelimit-reset']);
      expect(reset).toBeGreaterThanOrEqual(1);
      expect(reset).toBeLessThanOrEqual(60);

      // An error of the handler still carries the headers.
      const conflict = await get(a, `${PROBE}/conflict`, key.key);
      expect(conflict.status).toBe(409);
      expect(conflict.headers['ratelimit-remaining']).toBe('1');

      expect((await get(a, `${PROBE}/events`, key.key)).headers['ratelimit-remaining']).toBe('0');
      const limited = await get(a, `${PROBE}/events`, key.key);
      expect(limited.status).toBe(429);
      expect(limited.body.error.code).toBe('rate_limited');
      expect(limited.headers['ratelimit-remaining']).toBe('0');
      const retryAfter = Number(limited.headers['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(limited.body.error.details).toEqual({ retry_after_seconds: retryAfter });

      // Another key of the same tenant has its own budget.
      const other = await mintTestKey(t.ds, a, ['events:read'], { ratePerMinute: 3 });
      expect((await get(a, `${PROBE}/events`, other.key)).status).toBe(200);
    });

    it("falls back to the tenant's limit, and a change of it applies on the next request", async () => {
      await awayFromMinuteEdge();
      const e = uniqueName('guard-e');
      await new TenantsRepository(t.ds).create(e);
      await t.ds.query(`UPDATE tenant_settings SET rate_limit_per_minute = 50 WHERE tenant = $1`, [e]);
      const key = await mintTestKey(t.ds, e, ['events:read']);
      expect((await get(e, `${PROBE}/events`, key.key)).headers['ratelimit-limit']).toBe('50');
      await t.ds.query(`UPDATE tenant_settings SET rate_limit_per_minute = 2 WHERE tenant = $1`, [e]);
      expect(await waitForAccessPropagation(t.ds)).toBe(0);
      expect((await get(e, `${PROBE}/events`, key.key)).headers['ratelimit-limit']).toBe('2');
      expect((await get(e, `${PROBE}/events`, key.key)).status).toBe(429);
    });

    it('enforces the daily quota (key, else tenant) until the next UTC day', async () => {
      await awayFromMinuteEdge();
      const key = await mintTestKey(t.ds, a, ['events:read'], { dailyQuota: 2 });
      const first = await get(a, `${PROBE}/events`, key.key);
      expect(first.headers['ratelimit-limit']).toBe('2');
      expect(first.headers['ratelimit-remaining']).toBe('1');
      expect((await get(a, `${PROBE}/events`, key.key)).status).toBe(200);
      const over = await get(a, `${PROBE}/events`, key.key);
      expect(over.status).toBe(429);
      const untilMidnight = Math.ceil((86_400_000 - (Date.now() % 86_400_000)) / 1000);
      expect(Math.abs(Number(over.headers['retry-after']) - untilMidnight)).toBeLessThanOrEqual(2);
      expect(over.headers['ratelimit-limit']).toBe('2');
      // Not the per-minute limit: its own code, with when the quota starts again.
      const nextDay = new Date(Math.ceil(Date.now() / 86_400_000) * 86_400_000)
        .toISOString()
        .replace('.000', '');
      expect(over.body.error).toEqual({
        code: 'quota_exceeded',
        message: `the daily quota of 2 requests is used up; it resets at ${nextDay}`,
        details: {
          daily_quota: 2,
          reset_at: nextDay,
          retry_after_seconds: Number(over.headers['retry-after']),
        },
      });

      const f = uniqueName('guard-f');
      await new TenantsRepository(t.ds).create(f);
      await t.ds.query(`UPDATE tenant_settings SET daily_quota = 1 WHERE tenant = $1`, [f]);
      const tenantKey = await mintTestKey(t.ds, f, ['events:read']);
      expect((await get(f, `${PROBE}/events`, tenantKey.key)).status).toBe(200);
      expect((await get(f, `${PROBE}/events`, tenantKey.key)).status).toBe(429);
    });

    it('answers the per-minute limit with rate_limited even when a quota is set', async () => {
      await awayFromMinuteEdge();
      const key = await mintTestKey(t.ds, a, ['events:read'], { ratePerMinute: 1, dailyQuota: 100 });
      expect((await get(a, `${PROBE}/events`, key.key)).status).toBe(200);
      const over = await get(a, `${PROBE}/events`, key.key);
      expect(over.status).toBe(429);
      expect(over.body.error.code).toBe('rate_limited');
      expect(Number(over.headers['retry-after'])).toBeLessThanOrEqual(60);
    });

    it("keeps the day's quota count across gateway restarts, without Redis", async () => {
      await awayFromMinuteEdge();
      const key = await mintTestKey(t.ds, a, ['events:read'], { dailyQuota: 3 });
      expect((await get(a, `${PROBE}/events`, key.key)).status).toBe(200);
      await t.app.get(QuotaDays).flush();
      const [row] = await t.ds.query(`SELECT tenant, used::int FROM quota_days WHERE subject = $1`, [key.id]);
      expect(row).toEqual({ tenant: a, used: 1 });

      // A second gateway reads the count at its first request of the key, then a graceful
      // stop writes what it counted.
      const second = await startTestApp([GatewayModule, AccessProbeModule]);
      const viaSecond = (): Promise<ApiResponse> =>
        apiRequest(second.baseUrl, `${PROBE}/events`, { tenant: a, key: key.key });
      expect((await viaSecond()).headers['ratelimit-remaining']).toBe('1');
      expect((await viaSecond()).headers['ratelimit-remaining']).toBe('0');
      expect((await viaSecond()).body.error.code).toBe('quota_exceeded');
      await second.close();

      const third = await startTestApp([GatewayModule, AccessProbeModule]);
      try {
        const res = await apiRequest(third.baseUrl, `${PROBE}/events`, { tenant: a, key: key.key });
        expect(res.status).toBe(429);
        expect(res.body.error.code).toBe('quota_exceeded');
      } finally {
        await third.close();
      }
      const [after] = await t.ds.query(`SELECT used::int FROM quota_days WHERE subject = $1`, [key.id]);
      expect(after.used).toBe(3); // refusals are not counted
    });
  });

  describe('usage log', () => {
    it('counts requests and errors per key per hour and sets last_used_at, in batches', async () => {
      await awayFromMinuteEdge();
      const key = await mintTestKey(t.ds, b, ['events:read']);
      await get(b, `${PROBE}/events`, key.key);
      await get(b, `${PROBE}/events`, key.key);
      await get(b, `${PROBE}/conflict`, key.key);
      await get(b, `${PROBE}/users`, key.key); // 403: authenticated, so counted as an error
      const [before] = await t.ds.query(`SELECT last_used_at FROM api_keys WHERE id = $1`, [key.id]);
      expect(before.last_used_at).toBeNull(); // nothing written on the request path
      await t.app.get(UsageRecorder).flush();
      const rows = await t.ds.query(
        `SELECT tenant, requests::int, errors::int, hour, last_seen_at FROM api_key_usage WHERE key_id = $1`,
        [key.id],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ tenant: b, requests: 4, errors: 2 });
      expect((rows[0].hour as Date).getTime() % 3_600_000).toBe(0);
      const [after] = await t.ds.query(`SELECT last_used_at FROM api_keys WHERE id = $1`, [key.id]);
      expect(after.last_used_at).toEqual(rows[0].last_seen_at);
    });
  });

  describe('usage log at shutdown', () => {
    it('is flushed when the application closes', async () => {
      const other = await startTestApp([GatewayModule, AccessProbeModule]);
      const key = await mintTestKey(t.ds, c, ['events:read']);
      for (let i = 0; i < 3; i++)
        await apiRequest(other.baseUrl, `${PROBE}/events`, { tenant: c, key: key.key });
      await other.close();
      const rows = await t.ds.query(`SELECT requests::int FROM api_key_usage WHERE key_id = $1`, [key.id]);
      expect(rows).toEqual([{ requests: 3 }]);
    });
  });

  describe('public routes without scopes', () => {
    it('are refused at runtime, never served open', async () => {
      const key = await mintTestKey(t.ds, a, ['events:read']);
      const handler = AccessProbeController.prototype.events;
      const scopes: unknown = Reflect.getMetadata(REQUIRED_SCOPES, handler);
      Reflect.deleteMetadata(REQUIRED_SCOPES, handler);
      const calls = handlerCalls;
      try {
        const res = await get(a, `${PROBE}/events`, key.key);
        expect(res.status).toBe(500);
        expect(res.body.error.code).toBe('internal_error');
        expect(handlerCalls).toBe(calls);
      } finally {
        Reflect.defineMetadata(REQUIRED_SCOPES, scopes, handler);
      }
      expect((await get(a, `${PROBE}/events`, key.key)).status).toBe(200);
    });
  });
});
