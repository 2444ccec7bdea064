/**
 * The OAuth client management routes over real HTTP, behind the real access guard, on the
 * real database: the secret shown once and working at the token endpoint, no scope
 * escalation (by a key or by a client's own token), no client from a test-mode key,
 * revocation refused on the very next request by every gateway, tenant isolation, paging
 * and the status filter, hourly usage counted from real requests, and the audit trail.
 */
import { PUBLIC_TIME_PATTERN, SCOPES } from '@herald/contracts';
import { hashApiKey, OAuthClientsRepository, UsageRecorder } from '@herald/access';
import { TenantsRepository } from '@herald/platform';
import { GatewayModule } from '../../apps/gateway/src/gateway.module';
import { apiRequest, ApiResponse, mintTestKey, TestKey } from '../support/api-keys';
import { basic, form, tokenRequest } from '../support/oauth';
import { startTestApp, TestApp } from '../support/app';
import { eventually, uniqueName } from '../support/infra';

const CLIENT_FIELDS = [
  'id',
  'label',
  'secret_prefix',
  'scopes',
  'revoked_at',
  'created_at',
  'last_used_at',
  'usage_24h',
];
const CLIENT_ID = /^client_[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
const TIME = new RegExp(PUBLIC_TIME_PATTERN);

describe('OAuth clients API', () => {
  let t: TestApp;
  let other: TestApp;
  const a = uniqueName('clients-api-a');
  const b = uniqueName('clients-api-b');
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

  const bearer = (
    token: string,
    tenant: string,
    path: string,
    app: TestApp = t,
    method = 'GET',
    body?: unknown,
  ) => apiRequest(app.baseUrl, path, { tenant, key: token, method, body });

  async function created(body: Record<string, unknown>, key: TestKey = adminA): Promise<Record<string, any>> {
    const res = await call('POST', '/api/v1/clients', { label: 'c', scopes: ['events:read'], ...body }, key);
    expect(res.status).toBe(201);
    return res.body.data;
  }

  const tokenOf = async (client: Record<string, any>, tenant = a, app: TestApp = t): Promise<string> => {
    const res = await tokenRequest(app, tenant, form({ grant_type: 'client_credentials' }), {
      authorization: basic(client.client_id, client.client_secret),
    });
    expect(res.status).toBe(200);
    return res.body.access_token;
  };

  const audit = (id: string): Promise<Array<{ actor: string; action: string; details: unknown }>> =>
    t.ds.query(`SELECT actor, action, details FROM audit_log WHERE target_id = $1 ORDER BY id`, [id]);

  const clientCount = async (tenant: string): Promise<number> =>
    (await t.ds.query(`SELECT count(*)::int AS n FROM oauth_clients WHERE tenant = $1`, [tenant]))[0].n;

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
    it('answers 201 with the secret shown once, stores only its hash, and audits it', async () => {
      const ok = await call('POST', '/api/v1/clients', {
        label: 'crm sync',
        scopes: ['events:read', 'users:read', 'events:read'],
      });
      expect(ok.status).toBe(201);
      expect(Object.keys(ok.body)).toEqual(['data', 'meta']);
      const c = ok.body.data;
      expect(Object.keys(c)).toEqual([...CLIENT_FIELDS, 'client_id', 'client_secret']);
      expect(c).toEqual({
        id: expect.stringMatching(CLIENT_ID),
        label: 'crm sync',
        secret_prefix: c.client_secret.slice(0, 14),
        scopes: ['events:read', 'users:read'],
        revoked_at: null,
        created_at: expect.stringMatching(TIME),
        last_used_at: null,
        usage_24h: { requests: 0, errors: 0 },
        client_id: c.id,
        client_secret: expect.stringMatching(/^mc_cs_[A-Za-z0-9_-]{43}$/),
      });
      const [row] = await t.ds.query(`SELECT secret_hash, created_by FROM oauth_clients WHERE id = $1`, [
        c.id,
      ]);
      expect(row.secret_hash.equals(hashApiKey(c.client_secret))).toBe(true);
      expect(row.created_by).toBe(`key:${adminA.id}`);
      expect(await audit(c.id)).toEqual([
        {
          actor: `key:${adminA.id}`,
          action: 'oauth_client.created',
          details: {
            label: 'crm sync',
            secret_prefix: c.secret_prefix,
            scopes: ['events:read', 'users:read'],
          },
        },
      ]);

      // The credentials work at the token endpoint, and the token on the API.
      const token = await tokenOf(c);
      expect((await bearer(token, a, '/api/v1/users')).status).toBe(200);

      // Never again: no later answer carries the secret.
      for (const path of [`/api/v1/clients/${c.id}`, '/api/v1/clients?limit=100']) {
        const res2 = await call('GET', path);
        expect(JSON.stringify(res2.body)).not.toContain(c.client_secret);
        expect(JSON.stringify(res2.body)).not.toContain('secret_hash');
      }
    });

    it('refuses scopes the calling key does not hold, and stores nothing', async () => {
      const before = await clientCount(a);
      const res = await call(
        'POST',
        '/api/v1/clients',
        { label: 'x', scopes: ['events:read', 'webhooks:manage'] },
        managerA,
      );
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({
        code: 'insufficient_scope',
        details: {
          requested_scopes: ['events:read', 'webhooks:manage'],
          missing_scopes: ['webhooks:manage'],
        },
      });
      expect(await clientCount(a)).toBe(before);
      expect(
        (await call('POST', '/api/v1/clients', { label: 'x', scopes: ['events:read'] }, managerA)).status,
      ).toBe(201);
    });

    it('refuses a client’s token scopes it lacks itself, and audits what it creates as the client', async () => {
      const manager = await created({
        label: 'manager',
        scopes: ['keys:manage', 'keys:read', 'events:read'],
      });
      const token = await tokenOf(manager);
      const before = await clientCount(a);
      const up = await bearer(token, a, '/api/v1/clients', t, 'POST', { label: 'x', scopes: ['users:read'] });
      expect(up.status).toBe(403);
      expect(up.body.error).toMatchObject({
        code: 'insufficient_scope',
        message: 'this access token cannot grant a scope it does not hold: users:read',
        details: { missing_scopes: ['users:read'] },
      });
      expect(await clientCount(a)).toBe(before);
      // Nor through a key: the same rule on the key route.
      const key = await bearer(token, a, '/api/v1/keys', t, 'POST', { label: 'x', scopes: ['users:read'] });
      expect(key.status).toBe(403);
      expect(key.body.error.message).toBe(
        'this access token cannot grant a scope it does not hold: users:read',
      );

      const made = await bearer(token, a, '/api/v1/clients', t, 'POST', {
        label: 'x',
        scopes: ['events:read'],
      });
      expect(made.status).toBe(201);
      expect((await audit(made.body.data.id))[0]).toMatchObject({
        actor: `client:${manager.id}`,
        action: 'oauth_client.created',
      });
    });

    it('refuses any client to a test-mode key: their tokens are live', async () => {
      const testManager = await mintTestKey(t.ds, a, ['keys:manage', 'events:read'], { mode: 'test' });
      const before = await clientCount(a);
      const res = await call('POST', '/api/v1/clients', { label: 'x', scopes: ['events:read'] }, testManager);
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({
        code: 'insufficient_scope',
        details: { requested_mode: 'live', caller_mode: 'test' },
      });
      expect(await clientCount(a)).toBe(before);
    });

    it('needs keys:manage, and refuses a body that does not fit as 400 bad_request', async () => {
      const res = await call('POST', '/api/v1/clients', { label: 'x', scopes: ['events:read'] }, readerA);
      expect([res.status, res.body.error.code]).toEqual([403, 'insufficient_scope']);
      for (const body of [
        { scopes: ['events:read'] },
        { label: '   ', scopes: ['events:read'] },
        { label: 'x', scopes: [] },
        { label: 'x', scopes: ['events:write'] },
        { label: 'x', scopes: ['events:read'], client_secret: 'mc_cs_mine' },
      ]) {
        const bad = await call('POST', '/api/v1/clients', body);
        expect([bad.status, bad.body.error.code]).toEqual([400, 'bad_request']);
      }
    });
  });

  describe('read', () => {
    it('gets one client, never another tenant’s (404), and refuses a malformed id (400)', async () => {
      const c = await created({ label: 'one' });
      const one = await call('GET', `/api/v1/clients/${c.id}`, undefined, readerA);
      expect(one.status).toBe(200);
      expect(Object.keys(one.body.data)).toEqual(CLIENT_FIELDS);
      expect(one.body.data).toMatchObject({ id: c.id, label: 'one', created_at: c.created_at });

      for (const path of [`/api/v1/clients/${c.id}`, `/api/v1/clients/${c.id}/usage`]) {
        const foreign = await call('GET', path, undefined, adminB);
        expect([foreign.status, foreign.body.error.code]).toEqual([404, 'oauth_client_not_found']);
      }
      const foreignRevoke = await call('POST', `/api/v1/clients/${c.id}/revoke`, undefined, adminB);
      expect([foreignRevoke.status, foreignRevoke.body.error.code]).toEqual([404, 'oauth_client_not_found']);
      expect((await call('GET', `/api/v1/clients/${c.id}`)).body.data.revoked_at).toBeNull();
      const listB = await call('GET', '/api/v1/clients?limit=100', undefined, adminB);
      expect(listB.body.data.map((x: { id: string }) => x.id)).not.toContain(c.id);

      for (const path of ['/api/v1/clients/key_x', '/api/v1/clients/not-a-client/usage']) {
        const bad = await call('GET', path);
        expect([bad.status, bad.body.error.code]).toEqual([400, 'bad_request']);
      }
      const unknown = await call('GET', '/api/v1/clients/client_01ARZ3NDEKTSV4RRFFQ69G5FAV');
      expect([unknown.status, unknown.body.error.code]).toEqual([404, 'oauth_client_not_found']);
    });

    it('lists a tenant’s clients page by page, oldest first, with the status filter and cursors bound to it', async () => {
      const tenant = uniqueName('clients-api-pages');
      await new TenantsRepository(t.ds).create(tenant);
      const admin = await mintTestKey(t.ds, tenant, [...SCOPES]);
      const made: string[] = [];
      for (let i = 0; i < 5; i++) made.push((await created({ label: `c${i}` }, admin)).id);
      expect((await call('POST', `/api/v1/clients/${made[1]}/revoke`, undefined, admin)).status).toBe(200);
      const all = [...made].sort();

      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 10; page++) {
        const res = await call(
          'GET',
          `/api/v1/clients?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
          undefined,
          admin,
        );
        expect(res.status).toBe(200);
        expect(res.body.data.length).toBeLessThanOrEqual(2);
        for (const item of res.body.data) expect(Object.keys(item)).toEqual(CLIENT_FIELDS);
        seen.push(...res.body.data.map((x: { id: string }) => x.id));
        cursor = res.body.meta.next_cursor;
        if (!res.body.meta.has_more) break;
      }
      expect(seen).toEqual(all);
      expect(cursor).toEqual(expect.any(String));
      const later = await created({ label: 'later' }, admin);
      const next = await call('GET', `/api/v1/clients?limit=2&cursor=${cursor}`, undefined, admin);
      expect(next.body.data.map((x: { id: string }) => x.id)).toEqual([later.id]);
      const desc = await call('GET', '/api/v1/clients?order=desc&limit=100', undefined, admin);
      expect(desc.body.data.map((x: { id: string }) => x.id)).toEqual([...all, later.id].reverse());

      const ids = async (status: string) =>
        (await call('GET', `/api/v1/clients?status=${status}&limit=100`, undefined, admin)).body.data.map(
          (x: { id: string }) => x.id,
        );
      expect(await ids('revoked')).toEqual([made[1]]);
      expect(await ids('active')).toEqual([...all.filter((id) => id !== made[1]), later.id]);

      const first = await call('GET', '/api/v1/clients?limit=1&status=active', undefined, admin);
      const crossed = await call(
        'GET',
        `/api/v1/clients?limit=1&status=revoked&cursor=${first.body.meta.next_cursor}`,
        undefined,
        admin,
      );
      expect([crossed.status, crossed.body.error.code]).toEqual([400, 'invalid_cursor']);
      // A cursor of another route is foreign here.
      const keys = await call('GET', '/api/v1/keys?limit=1', undefined, admin);
      const foreign = await call(
        'GET',
        `/api/v1/clients?cursor=${keys.body.meta.next_cursor}`,
        undefined,
        admin,
      );
      expect([foreign.status, foreign.body.error.code]).toEqual([400, 'invalid_cursor']);
      const bad = await call('GET', '/api/v1/clients?status=expired', undefined, admin);
      expect([bad.status, bad.body.error.code]).toEqual([400, 'bad_request']);
    });
  });

  describe('revoke', () => {
    it('refuses the client’s tokens on the very next request on every gateway, once, safely retried', async () => {
      const c = await created({ label: 'doomed', scopes: ['events:read'] });
      const token = await tokenOf(c);
      for (const app of [t, other]) expect((await bearer(token, a, '/api/v1/events', app)).status).toBe(200);

      const res = await call('POST', `/api/v1/clients/${c.id}/revoke`, undefined, managerA);
      expect(res.status).toBe(200);
      expect(Object.keys(res.body.data)).toEqual(CLIENT_FIELDS);
      expect(res.body.data.revoked_at).toMatch(TIME);
      for (const app of [t, other]) {
        const refused = await bearer(token, a, '/api/v1/events', app);
        expect([refused.status, refused.body.error.code]).toEqual([401, 'invalid_token']);
      }
      const again = await tokenRequest(t, a, form({ grant_type: 'client_credentials' }), {
        authorization: basic(c.client_id, c.client_secret),
      });
      expect([again.status, again.body.error]).toEqual([401, 'invalid_client']);
      const tokens = await t.ds.query(`SELECT count(*)::int AS n FROM oauth_tokens WHERE client_id = $1`, [
        c.id,
      ]);
      expect(tokens[0].n).toBe(0);

      const twice = await call('POST', `/api/v1/clients/${c.id}/revoke`, undefined, managerA);
      expect(twice.status).toBe(200);
      expect(twice.body.data.revoked_at).toBe(res.body.data.revoked_at);
      expect((await audit(c.id)).map((r) => [r.actor, r.action])).toEqual([
        [`key:${adminA.id}`, 'oauth_client.created'],
        [`key:${managerA.id}`, 'oauth_client.revoked'],
      ]);
      const reader = await call('POST', `/api/v1/clients/${c.id}/revoke`, undefined, readerA);
      expect([reader.status, reader.body.error.code]).toEqual([403, 'insufficient_scope']);
    });

    it('answers the same revocation the CLI makes (one repository)', async () => {
      const c = await new OAuthClientsRepository(t.ds).create({
        tenant: a,
        scopes: ['events:read'],
        actor: 'cli:x',
      });
      await new OAuthClientsRepository(t.ds).revoke(a, c.id, 'cli:x');
      const res = await call('GET', `/api/v1/clients/${c.id}`);
      expect(res.body.data).toMatchObject({ id: c.id, label: null, revoked_at: expect.stringMatching(TIME) });
    });
  });

  describe('usage', () => {
    it('counts the requests and errors made with the client’s tokens, per hour, zero-filled over 24 hours', async () => {
      const c = await created({ label: 'usage', scopes: ['events:read'] });
      const fresh = await call('GET', `/api/v1/clients/${c.id}/usage`, undefined, readerA);
      expect(fresh.status).toBe(200);
      expect(fresh.body.data).toEqual({
        client_id: c.id,
        buckets: expect.any(Array),
        totals: { requests: 0, errors: 0 },
        last_seen_at: null,
      });
      expect(fresh.body.data.buckets).toHaveLength(24);

      const token = await tokenOf(c);
      for (let i = 0; i < 3; i++) expect((await bearer(token, a, '/api/v1/events')).status).toBe(200);
      expect((await bearer(token, a, '/api/v1/webhooks')).status).toBe(403);
      expect((await bearer(token, a, '/api/v1/events?limit=0')).status).toBe(400);

      const recorder = t.app.get(UsageRecorder);
      const usage = await eventually(async () => {
        await recorder.flush();
        const res = await call('GET', `/api/v1/clients/${c.id}/usage`);
        return res.body.data.totals.requests === 5 ? res.body.data : undefined;
      });
      expect(usage.totals).toEqual({ requests: 5, errors: 2 });
      expect(usage.last_seen_at).toMatch(TIME);
      const hours = usage.buckets.map((x: { hour: string }) => Date.parse(x.hour));
      for (let i = 1; i < 24; i++) expect(hours[i] - hours[i - 1]).toBe(3_600_000);
      const now = Date.now();
      expect(hours[23]).toBe(now - (now % 3_600_000));

      const one = await call('GET', `/api/v1/clients/${c.id}`);
      expect(one.body.data.usage_24h).toEqual({ requests: 5, errors: 2 });
      expect(one.body.data.last_used_at).toBe(usage.last_seen_at);
    });
  });
});
