/**
 * The API key management routes over real HTTP, behind the real access guard, on the real
 * database: the key shown once and working as a bearer, no scope escalation, revocation
 * refused on the very next request by every gateway, tenant isolation, paging and the
 * status filter, hourly usage counted from real requests, validation, and the audit trail.
 */
import { PUBLIC_TIME_PATTERN, SCOPES } from '@herald/contracts';
import { ApiKeysRepository, hashApiKey, UsageRecorder } from '@herald/access';
import { TenantsRepository } from '@herald/platform';
import { GatewayModule } from '../../apps/gateway/src/gateway.module';
import { apiRequest, ApiResponse, mintTestKey, TestKey } from '../support/api-keys';
import { startTestApp, TestApp } from '../support/app';
import { eventually, uniqueName } from '../support/infra';

const KEY_FIELDS = [
  'id',
  'label',
  'prefix',
  'mode',
  'scopes',
  'rate_limit_per_minute',
  'daily_quota',
  'expires_at',
  'revoked_at',
  'created_at',
  'last_used_at',
  'usage_24h',
];
const KEY_ID = /^key_[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
const TIME = new RegExp(PUBLIC_TIME_PATTERN);

interface AuditRow {
  actor: string;
  action: string;
  target_type: string;
  details: Record<string, unknown>;
}

describe('keys API', () => {
  let t: TestApp;
  let other: TestApp;
  const a = uniqueName('keys-api-a');
  const b = uniqueName('keys-api-b');
  let adminA: TestKey;
  let managerA: TestKey;
  let readerA: TestKey;
  let adminB: TestKey;

  const call = (
    method: string,
    path: string,
    body?: unknown,
    key: TestKey = adminA,
    app: TestApp = t,
  ): Promise<ApiResponse> =>
    apiRequest(app.baseUrl, path, { tenant: key.tenant, key: key.key, method, body });

  const bearer = (key: string, tenant: string, path: string, app: TestApp = t): Promise<ApiResponse> =>
    apiRequest(app.baseUrl, path, { tenant, key });

  async function created(body: Record<string, unknown>, key: TestKey = adminA): Promise<Record<string, any>> {
    const res = await call('POST', '/api/v1/keys', { label: 'k', scopes: ['events:read'], ...body }, key);
    expect(res.status).toBe(201);
    return res.body.data;
  }

  const audit = (id: string): Promise<AuditRow[]> =>
    t.ds.query(`SELECT actor, action, target_type, details FROM audit_log WHERE target_id = $1 ORDER BY id`, [
      id,
    ]);

  const keyCount = async (tenant: string): Promise<number> =>
    (await t.ds.query(`SELECT count(*)::int AS n FROM api_keys WHERE tenant = $1`, [tenant]))[0].n;

  beforeAll(async () => {
    t = await startTestApp([GatewayModule]);
    // A second gateway on the same database: a revocation must reach it too.
    other = await startTestApp([GatewayModule]);
    const tenants = new TenantsRepository(t.ds);
    await tenants.create(a);
    await tenants.create(b);
    adminA = await mintTestKey(t.ds, a, [...SCOPES]);
    managerA = await mintTestKey(t.ds, a, ['keys:read', 'keys:manage', 'events:read']);
    readerA = await mintTestKey(t.ds, a, ['keys:read']);
    adminB = await mintTestKey(t.ds, b, [...SCOPES]);
  });
  afterAll(async () => {
    await other?.close();
    await t?.close();
  });

  describe('create', () => {
    it('lets a test-mode key mint test-mode keys only, by default too', async () => {
      const testManager = await mintTestKey(t.ds, a, ['keys:manage', 'events:read'], { mode: 'test' });
      const before = await t.ds.query(`SELECT count(*)::int AS n FROM api_keys WHERE tenant = $1`, [a]);
      const live = await call(
        'POST',
        '/api/v1/keys',
        { label: 'x', scopes: ['events:read'], mode: 'live' },
        testManager,
      );
      expect(live.status).toBe(403);
      expect(live.body.error).toMatchObject({
        code: 'insufficient_scope',
        details: { requested_mode: 'live', caller_mode: 'test' },
      });
      const implicit = await call(
        'POST',
        '/api/v1/keys',
        { label: 'x', scopes: ['events:read'] },
        testManager,
      );
      expect(implicit.status).toBe(201);
      expect(implicit.body.data).toMatchObject({ mode: 'test', key: expect.stringMatching(/^mc_test_/) });
      const after = await t.ds.query(`SELECT count(*)::int AS n FROM api_keys WHERE tenant = $1`, [a]);
      expect(after[0].n).toBe(before[0].n + 1); // the refused live key was never stored
    });

    it('answers 201 with the key shown once, stores only its hash, and audits it', async () => {
      const expires = new Date(Date.now() + 86_400_000);
      const res = await call('POST', '/api/v1/keys', {
        label: 'crm sync',
        scopes: ['events:read', 'posts:read', 'events:read'],
        mode: 'test',
        expires_at: expires.toISOString(),
        rate_limit_per_minute: 120,
        daily_quota: 5000,
      });
      expect(res.status).toBe(201);
      expect(Object.keys(res.body)).toEqual(['data', 'meta']);
      const k = res.body.data;
      expect(Object.keys(k)).toEqual([...KEY_FIELDS, 'key']);
      expect(k).toEqual({
        id: expect.stringMatching(KEY_ID),
        label: 'crm sync',
        prefix: k.key.slice(0, 16),
        mode: 'test',
        scopes: ['events:read', 'posts:read'],
        rate_limit_per_minute: 120,
        daily_quota: 5000,
        expires_at: `${expires.toISOString().slice(0, -1)}000Z`,
        revoked_at: null,
        created_at: expect.stringMatching(TIME),
        last_used_at: null,
        usage_24h: { requests: 0, errors: 0 },
        key: expect.stringMatching(/^mc_test_[A-Za-z0-9_-]{43}$/),
      });

      const [row] = await t.ds.query(`SELECT tenant, key_hash, created_by FROM api_keys WHERE id = $1`, [
        k.id,
      ]);
      expect(row).toEqual({ tenant: a, key_hash: hashApiKey(k.key), created_by: `key:${adminA.id}` });
      expect(await audit(k.id)).toEqual([
        {
          actor: `key:${adminA.id}`,
          action: 'api_key.created',
          target_type: 'api_key',
          details: {
            label: 'crm sync',
            mode: 'test',
            prefix: k.prefix,
            scopes: ['events:read', 'posts:read'],
            expires_at: expires.toISOString(),
            rate_limit_per_minute: 120,
            daily_quota: 5000,
          },
        },
      ]);
    });

    it('works as a bearer at once, and no later read returns the key', async () => {
      const k = await created({ label: 'reader', scopes: ['events:read'] });
      const used = await bearer(k.key, a, '/api/v1/events');
      expect(used.status).toBe(200);
      // Only what it was given.
      expect((await bearer(k.key, a, '/api/v1/keys')).status).toBe(403);

      const one = await call('GET', `/api/v1/keys/${k.id}`);
      expect(one.status).toBe(200);
      const { key: plaintext, ...rest } = k;
      // Usage moves on; everything else is as created, minus the key.
      expect({ ...one.body.data, usage_24h: 0, last_used_at: 0 }).toEqual({
        ...rest,
        usage_24h: 0,
        last_used_at: 0,
      });
      expect(Object.keys(one.body.data)).toEqual(KEY_FIELDS);
      const list = await call('GET', '/api/v1/keys?limit=100');
      for (const res of [one, list]) {
        expect(JSON.stringify(res.body)).not.toContain(plaintext);
        expect(JSON.stringify(res.body)).not.toContain(hashApiKey(plaintext).toString('hex'));
      }
      expect(list.body.data.find((x: { id: string }) => x.id === k.id)).toBeDefined();
    });

    it('refuses to grant a scope the calling key lacks: 403 insufficient_scope, nothing stored', async () => {
      const before = await keyCount(a);
      const res = await call(
        'POST',
        '/api/v1/keys',
        { label: 'escalate', scopes: ['events:read', 'webhooks:manage', 'keys:read'] },
        managerA,
      );
      expect(res.status).toBe(403);
      expect(res.body.error).toEqual({
        code: 'insufficient_scope',
        message: 'this API key cannot grant a scope it does not hold: webhooks:manage',
        details: {
          requested_scopes: ['events:read', 'webhooks:manage', 'keys:read'],
          missing_scopes: ['webhooks:manage'],
        },
      });
      expect(await keyCount(a)).toBe(before);
      // What it holds it may hand on.
      const ok = await created({ label: 'subset', scopes: ['keys:read', 'events:read'] }, managerA);
      expect(ok.scopes).toEqual(['keys:read', 'events:read']);
      expect((await audit(ok.id))[0]?.actor).toBe(`key:${managerA.id}`);
    });

    it('needs keys:manage; keys:read only reads', async () => {
      const res = await call('POST', '/api/v1/keys', { label: 'x', scopes: ['keys:read'] }, readerA);
      expect(res.status).toBe(403);
      expect(res.body.error.details).toEqual({
        required_scopes: ['keys:manage'],
        missing_scopes: ['keys:manage'],
      });
      expect((await call('GET', '/api/v1/keys', undefined, readerA)).status).toBe(200);
    });
  });

  describe('validation', () => {
    it.each([
      [{ scopes: ['events:read'] }, 'label'],
      [{ label: 'bad\u0007label', scopes: ['events:read'] }, 'label'],
      [{ label: 'x'.repeat(101), scopes: ['events:read'] }, 'label'],
      [{ label: 'x', scopes: [] }, 'scopes'],
      [{ label: 'x', scopes: ['events:write'] }, 'scopes'],
      [{ label: 'x', scopes: ['events:read'], mode: 'prod' }, 'mode'],
      [{ label: 'x', scopes: ['events:read'], expires_at: 'tomorrow' }, 'expires_at'],
      [{ label: 'x', scopes: ['events:read'], rate_limit_per_minute: 0 }, 'rate_limit_per_minute'],
      [{ label: 'x', scopes: ['events:read'], daily_quota: 2.5 }, 'daily_quota'],
      [{ label: 'x', scopes: ['events:read'], daily_quota: 2 ** 31 }, 'daily_quota'],
      [{ label: 'x', scopes: ['events:read'], key_hash: 'ab' }, 'key_hash'],
    ])('%j → 400 bad_request naming %s, nothing stored', async (body, field) => {
      const before = await keyCount(a);
      const res = await call('POST', '/api/v1/keys', body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('bad_request');
      expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
      expect(await keyCount(a)).toBe(before);
    });

    it('an expiry that is not in the future → 422 invalid_api_key_input, nothing stored', async () => {
      const before = await keyCount(a);
      const res = await call('POST', '/api/v1/keys', {
        label: 'x',
        scopes: ['events:read'],
        expires_at: '2020-01-01T00:00:00Z',
      });
      expect(res.status).toBe(422);
      expect(res.body.error).toEqual({
        code: 'invalid_api_key_input',
        message: 'expiry must be in the future (got 2020-01-01T00:00:00.000Z)',
        details: [
          { field: 'expires_at', reason: 'expiry must be in the future (got 2020-01-01T00:00:00.000Z)' },
        ],
      });
      expect(await keyCount(a)).toBe(before);
    });

    it.each([
      ['GET', '/api/v1/keys/not-a-key'],
      ['GET', '/api/v1/keys/not-a-key/usage'],
      ['POST', '/api/v1/keys/key_$$/revoke'],
      ['GET', '/api/v1/keys?status=deleted'],
      ['GET', '/api/v1/keys?limit=0'],
      ['GET', '/api/v1/keys?cursor=forged'],
    ])('%s %s → 400', async (method, path) => {
      const res = await call(method, path);
      expect(res.status).toBe(400);
      expect(['bad_request', 'invalid_cursor']).toContain(res.body.error.code);
    });
  });

  describe('revoke', () => {
    it('refuses the key on the very next request, on every gateway; revoking again changes nothing', async () => {
      const k = await created({ label: 'doomed', scopes: ['events:read'] });
      // Cached as valid by both gateways first.
      expect((await bearer(k.key, a, '/api/v1/events')).status).toBe(200);
      expect((await bearer(k.key, a, '/api/v1/events', other)).status).toBe(200);

      const res = await call('POST', `/api/v1/keys/${k.id}/revoke`);
      expect(res.status).toBe(200);
      expect(Object.keys(res.body.data)).toEqual(KEY_FIELDS);
      expect(res.body.data).toMatchObject({ id: k.id, revoked_at: expect.stringMatching(TIME) });

      for (const app of [t, other]) {
        const refused = await bearer(k.key, a, '/api/v1/events', app);
        expect(refused.status).toBe(401);
        expect(refused.body.error.code).toBe('invalid_api_key');
      }

      const again = await call('POST', `/api/v1/keys/${k.id}/revoke`);
      expect(again.status).toBe(200);
      expect(again.body.data.revoked_at).toBe(res.body.data.revoked_at);
      expect((await audit(k.id)).map((r) => [r.action, r.actor])).toEqual([
        ['api_key.created', `key:${adminA.id}`],
        ['api_key.revoked', `key:${adminA.id}`],
      ]);
    });

    it('a key may revoke itself, and is refused afterwards', async () => {
      const self = await created({ label: 'self', scopes: ['keys:manage'] });
      const me: TestKey = { id: self.id, key: self.key, tenant: a };
      expect((await call('POST', `/api/v1/keys/${self.id}/revoke`, undefined, me)).status).toBe(200);
      expect((await call('POST', `/api/v1/keys/${self.id}/revoke`, undefined, me)).status).toBe(401);
    });

    it('an unknown id → 404 api_key_not_found', async () => {
      const res = await call('POST', '/api/v1/keys/key_01JG5K8HW2X4A8Q3M1T6KQ7BWP/revoke');
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('api_key_not_found');
    });
  });

  describe('tenant isolation', () => {
    it("another tenant's key is not found, cannot be revoked, and is not listed", async () => {
      const k = await created({ label: 'a only', scopes: ['events:read'] });
      for (const [method, path] of [
        ['GET', `/api/v1/keys/${k.id}`],
        ['GET', `/api/v1/keys/${k.id}/usage`],
        ['POST', `/api/v1/keys/${k.id}/revoke`],
      ] as const) {
        const res = await call(method, path, undefined, adminB);
        expect(res.status).toBe(404);
        expect(res.body.error.code).toBe('api_key_not_found');
      }
      expect((await bearer(k.key, a, '/api/v1/events')).status).toBe(200);
      // A key works only on its own tenant's host.
      expect((await bearer(k.key, b, '/api/v1/events')).status).toBe(401);

      const listB = await call('GET', '/api/v1/keys?limit=100', undefined, adminB);
      expect(listB.body.data.map((x: { id: string }) => x.id)).toEqual([adminB.id]);
      const listA = await call('GET', '/api/v1/keys?limit=100');
      expect(listA.body.data.map((x: { id: string }) => x.id)).not.toContain(adminB.id);
    });
  });

  describe('list', () => {
    it('pages oldest first without skipping or repeating, and filters by status', async () => {
      const tenant = uniqueName('keys-api-list');
      await new TenantsRepository(t.ds).create(tenant);
      // Minted the CLI's way, so every id in this tenant is a ULID (creation order).
      const repo = new ApiKeysRepository(t.ds);
      const minted = await repo.create({ tenant, scopes: [...SCOPES], actor: 'test' });
      const admin: TestKey = { id: minted.id, key: minted.key, tenant };
      const made: string[] = [];
      for (let i = 0; i < 4; i++) made.push((await created({ label: `k${i}` }, admin)).id);
      const expired = await created(
        { label: 'expired', expires_at: new Date(Date.now() + 3_600_000).toISOString() },
        admin,
      );
      await t.ds.query(`UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`, [
        expired.id,
      ]);
      const revokeRes = await call('POST', `/api/v1/keys/${made[1]}/revoke`, undefined, admin);
      expect(revokeRes.status).toBe(200);
      const all = [admin.id, ...made, expired.id].sort();

      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 10; page++) {
        const q = `/api/v1/keys?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
        const res = await call('GET', q, undefined, admin);
        expect(res.status).toBe(200);
        expect(res.body.data.length).toBeLessThanOrEqual(2);
        seen.push(...res.body.data.map((x: { id: string }) => x.id));
        cursor = res.body.meta.next_cursor;
        if (!res.body.meta.has_more) break;
      }
      expect(seen).toEqual(all);
      // The last page of an oldest-first walk keeps a cursor, which later yields what came since.
      expect(cursor).toEqual(expect.any(String));
      const later = await created({ label: 'later' }, admin);
      const next = await call('GET', `/api/v1/keys?limit=2&cursor=${cursor}`, undefined, admin);
      expect(next.body.data.map((x: { id: string }) => x.id)).toEqual([later.id]);
      const desc = await call('GET', '/api/v1/keys?order=desc&limit=100', undefined, admin);
      expect(desc.body.data.map((x: { id: string }) => x.id)).toEqual([...all, later.id].reverse());

      const ids = async (status: string) =>
        (await call('GET', `/api/v1/keys?status=${status}&limit=100`, undefined, admin)).body.data.map(
          (x: { id: string }) => x.id,
        );
      expect(await ids('revoked')).toEqual([made[1]]);
      expect(await ids('expired')).toEqual([expired.id]);
      expect(await ids('active')).toEqual([...[admin.id, made[0]!, made[2]!, made[3]!].sort(), later.id]);

      // A cursor belongs to its filter.
      const first = await call('GET', '/api/v1/keys?limit=1&status=active', undefined, admin);
      const crossed = await call(
        'GET',
        `/api/v1/keys?limit=1&status=revoked&cursor=${first.body.meta.next_cursor}`,
        undefined,
        admin,
      );
      expect(crossed.status).toBe(400);
      expect(crossed.body.error.code).toBe('invalid_cursor');
    });
  });

  describe('usage', () => {
    it('counts the requests and errors made with a key, per hour, zero-filled over 24 hours', async () => {
      const k = await created({ label: 'usage', scopes: ['events:read'] });
      const fresh = await call('GET', `/api/v1/keys/${k.id}/usage`);
      expect(fresh.status).toBe(200);
      expect(fresh.body.data).toEqual({
        key_id: k.id,
        buckets: expect.any(Array),
        totals: { requests: 0, errors: 0 },
        last_seen_at: null,
      });
      expect(fresh.body.data.buckets).toHaveLength(24);

      for (let i = 0; i < 3; i++) expect((await bearer(k.key, a, '/api/v1/events')).status).toBe(200);
      expect((await bearer(k.key, a, '/api/v1/webhooks')).status).toBe(403);
      expect((await bearer(k.key, a, '/api/v1/keys')).status).toBe(403);
      expect((await bearer(k.key, a, '/api/v1/events?limit=0')).status).toBe(400);

      // The gateway writes usage in batches: flush until all six responses are in the log.
      const recorder = t.app.get(UsageRecorder);
      const usage = await eventually(async () => {
        await recorder.flush();
        const res = await call('GET', `/api/v1/keys/${k.id}/usage`);
        return res.body.data.totals.requests === 6 ? res.body.data : undefined;
      });
      expect(usage.totals).toEqual({ requests: 6, errors: 3 });
      expect(usage.last_seen_at).toMatch(TIME);
      expect(usage.buckets).toHaveLength(24);
      const hours = usage.buckets.map((x: { hour: string }) => Date.parse(x.hour));
      for (let i = 1; i < 24; i++) expect(hours[i] - hours[i - 1]).toBe(3_600_000);
      expect(usage.buckets[0].hour).toMatch(/T\d{2}:00:00\.000000Z$/);
      const now = Date.now();
      expect(hours[23]).toBe(now - (now % 3_600_000));
      const busy = usage.buckets.filter((x: { requests: number }) => x.requests > 0);
      expect(busy.reduce((n: number, x: { errors: number }) => n + x.errors, 0)).toBe(3);

      const one = await call('GET', `/api/v1/keys/${k.id}`);
      expect(one.body.data.usage_24h).toEqual({ requests: 6, errors: 3 });
      expect(one.body.data.last_used_at).toBe(usage.last_seen_at);
    });
  });
});
