/**
 * The webhook endpoint routes of DESIGN.md §6 over real HTTP, behind the real access
 * guard, on the real database and broker: exact object shapes, the secret shown once,
 * 400 for the schema vs 422 `invalid_endpoint` for what cannot be accepted, scopes,
 * tenant isolation, the audit trail, secret rotation with grace, and test events on the
 * public topic.
 */
import { PUBLIC_ID_PATTERN, PUBLIC_TIME_PATTERN } from '@herald/contracts';
import { TenantsRepository } from '@herald/platform';
import { GatewayModule } from '../../apps/gateway/src/gateway.module';
import { MasterKeyring } from '../../libs/webhooks/src/secrets/master-keyring';
import { SecretBox } from '../../libs/webhooks/src/secrets/secret-box';
import { apiRequest, ApiResponse, mintTestKey, TestKey } from '../support/api-keys';
import { startTestApp, TestApp } from '../support/app';
import { uniqueName } from '../support/infra';

const ENDPOINT_FIELDS = [
  'id',
  'url',
  'label',
  'events',
  'filters',
  'active',
  'signing_scheme',
  'disabled_reason',
  'created_at',
  'updated_at',
];
const ENDPOINT_ID = /^ep_[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
const TIME = new RegExp(PUBLIC_TIME_PATTERN);
const HMAC_SECRET = /^whsec_[A-Za-z0-9+/]{43}=$/;

interface AuditRow {
  actor: string;
  action: string;
  target_type: string;
  details: Record<string, unknown>;
}

describe('webhooks API: endpoints', () => {
  let t: TestApp;
  let box: SecretBox;
  const a = uniqueName('wh-a');
  const b = uniqueName('wh-b');
  let manageA: TestKey;
  let readA: TestKey;
  let eventsA: TestKey;
  let manageB: TestKey;

  const call = (method: string, path: string, body?: unknown, key: TestKey = manageA): Promise<ApiResponse> =>
    apiRequest(t.baseUrl, path, { tenant: key.tenant, key: key.key, method, body });

  const create = (body: Record<string, unknown>, key: TestKey = manageA): Promise<ApiResponse> =>
    call(
      'POST',
      '/api/v1/webhooks',
      { url: 'https://127.0.0.1:8443/hook', events: ['post.*'], ...body },
      key,
    );

  async function created(
    body: Record<string, unknown> = {},
    key: TestKey = manageA,
  ): Promise<Record<string, any>> {
    const res = await create(body, key);
    expect(res.status).toBe(201);
    return res.body.data;
  }

  const audit = (id: string): Promise<AuditRow[]> =>
    t.ds.query(`SELECT actor, action, target_type, details FROM audit_log WHERE target_id = $1 ORDER BY id`, [
      id,
    ]);

  const storedSecrets = async (id: string) => {
    const [row] = await t.ds.query(
      `SELECT tenant, secret_key_id, secret_sealed, previous_secret_key_id, previous_secret_sealed,
              previous_secret_expires_at FROM webhook_endpoints WHERE id = $1`,
      [id],
    );
    return row;
  };

  beforeAll(async () => {
    t = await startTestApp([GatewayModule], { webhookAllowCidrs: ['127.0.0.0/8'] });
    box = new SecretBox(MasterKeyring.fromConfig(t.config.masterKey, t.config.previousMasterKeys));
    const tenants = new TenantsRepository(t.ds);
    await tenants.create(a);
    await tenants.create(b);
    manageA = await mintTestKey(t.ds, a, ['webhooks:read', 'webhooks:manage']);
    readA = await mintTestKey(t.ds, a, ['webhooks:read']);
    eventsA = await mintTestKey(t.ds, a, ['events:read']);
    manageB = await mintTestKey(t.ds, b, ['webhooks:read', 'webhooks:manage']);
  });
  afterAll(async () => {
    await t.close();
  });

  describe('round trip', () => {
    it('POST registers an endpoint: 201, exactly the endpoint object plus its secret, audited', async () => {
      const res = await create({
        url: 'https://93.184.216.34/hooks/herald',
        label: 'crm',
        events: ['post.created', 'user.*'],
        filters: { 'data.forum_slug': 'general' },
      });
      expect(res.status).toBe(201);
      expect(Object.keys(res.body)).toEqual(['data', 'meta']);
      const ep = res.body.data;
      expect(Object.keys(ep)).toEqual([...ENDPOINT_FIELDS, 'secret']);
      expect(ep).toEqual({
        id: expect.stringMatching(ENDPOINT_ID),
        url: 'https://93.184.216.34/hooks/herald',
        label: 'crm',
        events: ['post.created', 'user.*'],
        filters: { 'data.forum_slug': 'general' },
        active: true,
        signing_scheme: 'mobieus-v1',
        disabled_reason: null,
        created_at: expect.stringMatching(TIME),
        updated_at: ep.created_at,
        secret: expect.stringMatching(HMAC_SECRET),
      });
      expect(Math.abs(Date.parse(ep.created_at) - Date.now())).toBeLessThan(60_000);

      const stored = await storedSecrets(ep.id);
      expect(stored.tenant).toBe(a);
      expect(stored.secret_sealed.toString('utf8')).not.toContain(ep.secret);
      expect(
        box.open(
          { keyId: stored.secret_key_id, sealed: stored.secret_sealed },
          { tenant: a, endpointId: ep.id, slot: 'current' },
        ),
      ).toBe(ep.secret);
      expect(stored.previous_secret_sealed).toBeNull();

      expect(await audit(ep.id)).toEqual([
        {
          actor: `key:${manageA.id}`,
          action: 'webhook_endpoint.created',
          target_type: 'webhook_endpoint',
          details: {
            url: ep.url,
            label: 'crm',
            events: ['post.created', 'user.*'],
            filters: { 'data.forum_slug': 'general' },
            active: true,
            signing_scheme: 'mobieus-v1',
          },
        },
      ]);
    });

    it('the secret is shown once: GET, the list and later creates never carry it', async () => {
      const first = await created({ label: 'once' });
      const get = await call('GET', `/api/v1/webhooks/${first.id}`, undefined, readA);
      expect(get.status).toBe(200);
      expect(get.body.meta).toEqual({ request_id: get.headers['x-request-id'] });
      const { secret, ...shown } = first;
      expect(get.body.data).toEqual(shown);
      expect(Object.keys(get.body.data)).toEqual(ENDPOINT_FIELDS);

      const second = await created({ label: 'later' });
      expect(second.secret).not.toBe(secret);
      const list = await call('GET', '/api/v1/webhooks?limit=100', undefined, readA);
      expect(list.status).toBe(200);
      const raw = JSON.stringify(list.body);
      expect(raw).not.toContain(secret);
      expect(raw).not.toContain(second.secret);
      expect(raw).not.toContain('"secret"');
      for (const item of list.body.data) expect(Object.keys(item)).toEqual(ENDPOINT_FIELDS);
      expect(list.body.data).toContainEqual(shown);
    });

    it('takes a scheme, and active: false registers it disabled by hand', async () => {
      const ep = await created({ signing_scheme: 'standard-webhooks-ed25519', active: false, events: ['*'] });
      expect(ep).toMatchObject({
        signing_scheme: 'standard-webhooks-ed25519',
        active: false,
        disabled_reason: 'manual',
        label: null,
        filters: {},
        events: ['*'],
      });
      // The integrator gets the public key; the private one stays sealed.
      expect(ep.secret).toMatch(/^whpk_[A-Za-z0-9+/]{43}=$/);
      const stored = await storedSecrets(ep.id);
      const signing = box.open(
        { keyId: stored.secret_key_id, sealed: stored.secret_sealed },
        { tenant: a, endpointId: ep.id, slot: 'current' },
      );
      expect(signing).toMatch(/^whsk_/);
    });

    it('drops repeated event patterns and normalizes the URL', async () => {
      const ep = await created({ url: 'HTTPS://93.184.216.34', events: ['post.*', 'user.joined', 'post.*'] });
      expect(ep.url).toBe('https://93.184.216.34/');
      expect(ep.events).toEqual(['post.*', 'user.joined']);
    });

    it('PATCH changes the fields sent and audits their names; the same values change nothing', async () => {
      const ep = await created({ label: 'before', filters: { 'data.forum_slug': 'a' } });
      const res = await call('PATCH', `/api/v1/webhooks/${ep.id}`, {
        label: 'after',
        events: ['post.created', 'thread.created'],
        filters: { 'data.forum_slug': 'b', 'data.author.id': 7 },
        url: 'https://127.0.0.1:9443/new',
        signing_scheme: 'mobieus-v1-sha512',
      });
      expect(res.status).toBe(200);
      expect(Object.keys(res.body.data)).toEqual(ENDPOINT_FIELDS);
      expect(res.body.data).toEqual({
        ...ep,
        secret: undefined,
        label: 'after',
        events: ['post.created', 'thread.created'],
        filters: { 'data.forum_slug': 'b', 'data.author.id': 7 },
        url: 'https://127.0.0.1:9443/new',
        signing_scheme: 'mobieus-v1-sha512',
        updated_at: expect.stringMatching(TIME),
      });
      expect(res.body.data.updated_at > ep.updated_at).toBe(true);
      // The HMAC schemes share a secret: it stays.
      const stored = await storedSecrets(ep.id);
      expect(
        box.open(
          { keyId: stored.secret_key_id, sealed: stored.secret_sealed },
          { tenant: a, endpointId: ep.id, slot: 'current' },
        ),
      ).toBe(ep.secret);

      const same = await call('PATCH', `/api/v1/webhooks/${ep.id}`, {
        label: 'after',
        filters: { 'data.author.id': 7, 'data.forum_slug': 'b' },
        active: true,
      });
      expect(same.status).toBe(200);
      expect(same.body.data).toEqual(res.body.data);
      const cleared = await call('PATCH', `/api/v1/webhooks/${ep.id}`, { label: null, filters: {} });
      expect(cleared.body.data).toMatchObject({ label: null, filters: {} });

      expect((await audit(ep.id)).map((r) => [r.action, r.details])).toEqual([
        ['webhook_endpoint.created', expect.any(Object)],
        ['webhook_endpoint.updated', { fields: ['url', 'label', 'events', 'filters', 'signing_scheme'] }],
        ['webhook_endpoint.updated', { fields: ['label', 'filters'] }],
      ]);
    });

    it('PATCH active: false disables by hand, active: true re-enables and resets the dead run', async () => {
      const ep = await created();
      const off = await call('PATCH', `/api/v1/webhooks/${ep.id}`, { active: false });
      expect(off.status).toBe(200);
      expect(off.body.data).toMatchObject({ active: false, disabled_reason: 'manual' });

      // As the delivery workers leave it after too many dead deliveries.
      await t.ds.query(
        `UPDATE webhook_endpoints SET disabled_reason = 'consecutive_failures', consecutive_dead = 20 WHERE id = $1`,
        [ep.id],
      );
      const on = await call('PATCH', `/api/v1/webhooks/${ep.id}`, { active: true, label: 'back' });
      expect(on.status).toBe(200);
      expect(on.body.data).toMatchObject({ active: true, disabled_reason: null, label: 'back' });
      const [row] = await t.ds.query(`SELECT consecutive_dead FROM webhook_endpoints WHERE id = $1`, [ep.id]);
      expect(row.consecutive_dead).toBe(0);

      expect((await audit(ep.id)).map((r) => [r.actor, r.action, r.details])).toEqual([
        [`key:${manageA.id}`, 'webhook_endpoint.created', expect.any(Object)],
        [`key:${manageA.id}`, 'webhook_endpoint.disabled', { reason: 'manual' }],
        [
          `key:${manageA.id}`,
          'webhook_endpoint.enabled',
          { previous_reason: 'consecutive_failures', consecutive_dead: 20 },
        ],
        [`key:${manageA.id}`, 'webhook_endpoint.updated', { fields: ['label'] }],
      ]);
    });

    it('PATCH checks what it changes like POST: the URL, and events against the filters that stay', async () => {
      const ep = await created({ filters: { 'data.forum_slug': 'a' } });
      const url = await call('PATCH', `/api/v1/webhooks/${ep.id}`, { url: 'https://10.0.0.1/hook' });
      expect(url.status).toBe(422);
      expect(url.body.error.details).toEqual([{ field: 'url', reason: expect.any(String) }]);
      const events = await call('PATCH', `/api/v1/webhooks/${ep.id}`, { events: ['user.joined'] });
      expect(events.status).toBe(422);
      expect(events.body.error.details).toEqual([
        { field: 'filters.data.forum_slug', reason: expect.stringContaining('no subscribed event type') },
      ]);
      const both = await call('PATCH', `/api/v1/webhooks/${ep.id}`, { events: ['user.joined'], filters: {} });
      expect(both.status).toBe(200);
      expect(both.body.data).toMatchObject({ events: ['user.joined'], filters: {} });
    });

    it('PATCH refuses a move to or from ed25519 (422, pointing at rotate-secret); nothing changes', async () => {
      const ep = await created();
      const res = await call('PATCH', `/api/v1/webhooks/${ep.id}`, {
        signing_scheme: 'standard-webhooks-ed25519',
        label: 'not applied',
      });
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('invalid_endpoint');
      expect(res.body.error.details).toEqual([
        {
          field: 'signing_scheme',
          reason: expect.stringContaining(`/api/v1/webhooks/${ep.id}/rotate-secret`),
        },
      ]);
      const get = await call('GET', `/api/v1/webhooks/${ep.id}`);
      expect(get.body.data).toMatchObject({ signing_scheme: 'mobieus-v1', label: null });
    });

    it('DELETE answers {id, deleted: true}, audits it, and the endpoint is gone', async () => {
      const ep = await created({ label: 'doomed' });
      const res = await call('DELETE', `/api/v1/webhooks/${ep.id}`);
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual({ id: ep.id, deleted: true });
      expect(Object.keys(res.body.data)).toEqual(['id', 'deleted']);
      for (const method of ['GET', 'DELETE', 'PATCH']) {
        const again = await call(
          method,
          `/api/v1/webhooks/${ep.id}`,
          method === 'PATCH' ? { label: 'x' } : undefined,
        );
        expect(again.status).toBe(404);
        expect(again.body.error.code).toBe('endpoint_not_found');
      }
      const rows = await audit(ep.id);
      expect(rows.map((r) => r.action)).toEqual(['webhook_endpoint.created', 'webhook_endpoint.deleted']);
      expect(rows[1]!.details).toEqual({ url: ep.url, label: 'doomed', events: ['post.*'] });
    });

    it('a malformed endpoint id is 400; an unknown one 404 endpoint_not_found', async () => {
      const bad = await call('GET', '/api/v1/webhooks/ep_nope');
      expect(bad.status).toBe(400);
      expect(bad.body.error.details).toEqual([{ field: 'id', reason: expect.any(String) }]);
      const unknown = await call('GET', '/api/v1/webhooks/ep_01JG5K8HW2X4A8Q3M1T6KQ7BWP');
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.code).toBe('endpoint_not_found');
    });
  });

  describe('what cannot be accepted is 422 invalid_endpoint, with every problem', () => {
    it.each<[string, Record<string, unknown>, string]>([
      ['an unparsable URL', { url: 'not a url' }, 'url'],
      ['a relative URL', { url: '/hooks' }, 'url'],
      ['plain http', { url: 'http://93.184.216.34/hook' }, 'url'],
      ['a private address (SSRF)', { url: 'https://10.0.0.1/' }, 'url'],
      ['localhost (SSRF)', { url: 'https://localhost/' }, 'url'],
      ['the metadata address (SSRF)', { url: 'https://169.254.169.254/latest' }, 'url'],
      ['an unknown event type', { events: ['post.created', 'post.craeted'] }, 'events[1]'],
      ['a wildcard that matches nothing', { events: ['nothing.*'] }, 'events[0]'],
      ['no events', { events: [] }, 'events'],
      ['a filter on an unknown path', { filters: { 'data.status': 'published' } }, 'filters.data.status'],
      [
        'a filter on a path of another type',
        { events: ['user.joined'], filters: { 'data.forum_slug': 'x' } },
        'filters.data.forum_slug',
      ],
      ['a filter value that is not a scalar', { filters: { 'data.title': ['a'] } }, 'filters.data.title'],
    ])('%s', async (_, body, field) => {
      const before = await t.ds.query(`SELECT count(*)::int AS n FROM webhook_endpoints WHERE tenant = $1`, [
        a,
      ]);
      const res = await create(body);
      expect(res.status).toBe(422);
      expect(res.body.error).toEqual({
        code: 'invalid_endpoint',
        message: expect.any(String),
        details: [{ field, reason: expect.any(String) }],
      });
      const after = await t.ds.query(`SELECT count(*)::int AS n FROM webhook_endpoints WHERE tenant = $1`, [
        a,
      ]);
      expect(after).toEqual(before);
    });

    it('the SSRF refusal carries the guard’s reason', async () => {
      const res = await create({ url: 'https://10.0.0.1/' });
      expect(res.body.error.details[0].reason).toMatch(/10\.0\.0\.1|private|not allowed|refus/i);
    });

    it('lists every problem at once', async () => {
      const res = await create({
        url: 'http://example.com/',
        events: ['nope', 'post.created'],
        filters: { 'data.nothing': 1 },
      });
      expect(res.status).toBe(422);
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toEqual([
        'url',
        'events[0]',
        'filters.data.nothing',
      ]);
    });

    it('a body that does not fit the schema is 400 bad_request instead', async () => {
      for (const body of [
        { events: ['post.*'] },
        { url: 'https://93.184.216.34/' },
        { url: 42, events: ['post.*'] },
        { url: 'https://93.184.216.34/', events: 'post.*' },
        { url: 'https://93.184.216.34/', events: [1] },
        { url: 'https://93.184.216.34/', events: ['post.*'], filters: ['data.title'] },
        { url: 'https://93.184.216.34/', events: ['post.*'], signing_scheme: 'md5' },
        { url: 'https://93.184.216.34/', events: ['post.*'], active: 'yes' },
        { url: 'https://93.184.216.34/', events: ['post.*'], colour: 'blue' },
      ]) {
        const res = await call('POST', '/api/v1/webhooks', body);
        expect({ body, status: res.status, code: res.body.error?.code }).toEqual({
          body,
          status: 400,
          code: 'bad_request',
        });
      }
      const nulls = await call('PATCH', '/api/v1/webhooks/ep_01JG5K8HW2X4A8Q3M1T6KQ7BWP', { events: null });
      expect(nulls.status).toBe(400);
    });
  });

  describe('scopes', () => {
    it('webhooks:read reads but cannot change anything (403 insufficient_scope)', async () => {
      const ep = await created();
      expect((await call('GET', '/api/v1/webhooks', undefined, readA)).status).toBe(200);
      expect((await call('GET', `/api/v1/webhooks/${ep.id}`, undefined, readA)).status).toBe(200);
      expect((await call('GET', `/api/v1/webhooks/${ep.id}/deliveries`, undefined, readA)).status).toBe(200);
      for (const [method, path, body] of [
        ['POST', '/api/v1/webhooks', { url: 'https://93.184.216.34/', events: ['*'] }],
        ['PATCH', `/api/v1/webhooks/${ep.id}`, { label: 'x' }],
        ['DELETE', `/api/v1/webhooks/${ep.id}`, undefined],
        ['POST', `/api/v1/webhooks/${ep.id}/test`, undefined],
        ['POST', `/api/v1/webhooks/${ep.id}/rotate-secret`, {}],
        ['POST', '/api/v1/webhooks/deliveries/dlv_01JG5K8HW2X4A8Q3M1T6KQ7BWP/replay', undefined],
      ] as Array<[string, string, unknown]>) {
        const res = await call(method, path, body, readA);
        expect({ route: `${method} ${path}`, status: res.status, code: res.body.error?.code }).toEqual({
          route: `${method} ${path}`,
          status: 403,
          code: 'insufficient_scope',
        });
      }
      expect((await call('GET', `/api/v1/webhooks/${ep.id}`)).body.data.label).toBeNull();
    });

    it('a key without webhooks scopes cannot even read them; no key is 401', async () => {
      const ep = await created();
      expect((await call('GET', '/api/v1/webhooks', undefined, eventsA)).status).toBe(403);
      expect((await call('GET', `/api/v1/webhooks/${ep.id}`, undefined, eventsA)).status).toBe(403);
      for (const [method, path] of [
        ['GET', '/api/v1/webhooks'],
        ['POST', '/api/v1/webhooks'],
        ['GET', `/api/v1/webhooks/${ep.id}`],
        ['POST', `/api/v1/webhooks/${ep.id}/rotate-secret`],
      ] as const) {
        const res = await apiRequest(t.baseUrl, path, {
          tenant: a,
          method,
          body: method === 'POST' ? {} : undefined,
        });
        expect(res.status).toBe(401);
        expect(res.body.error.code).toBe('invalid_api_key');
      }
    });
  });

  describe('tenant isolation', () => {
    it("tenant B's key finds none of A's endpoints on any route, and each list shows its own only", async () => {
      const ofA = await created({ label: 'a-only' });
      const ofB = await created({ label: 'b-only' }, manageB);
      for (const [method, path, body] of [
        ['GET', `/api/v1/webhooks/${ofA.id}`, undefined],
        ['PATCH', `/api/v1/webhooks/${ofA.id}`, { label: 'stolen' }],
        ['DELETE', `/api/v1/webhooks/${ofA.id}`, undefined],
        ['GET', `/api/v1/webhooks/${ofA.id}/deliveries`, undefined],
        ['POST', `/api/v1/webhooks/${ofA.id}/test`, undefined],
        ['POST', `/api/v1/webhooks/${ofA.id}/rotate-secret`, {}],
      ] as Array<[string, string, unknown]>) {
        const res = await call(method, path, body, manageB);
        expect({ route: `${method} ${path}`, status: res.status, code: res.body.error?.code }).toEqual({
          route: `${method} ${path}`,
          status: 404,
          code: 'endpoint_not_found',
        });
      }
      const [row] = await t.ds.query(`SELECT label, secret_sealed FROM webhook_endpoints WHERE id = $1`, [
        ofA.id,
      ]);
      expect(row.label).toBe('a-only');

      const listA = await call('GET', '/api/v1/webhooks?limit=100');
      const listB = await call('GET', '/api/v1/webhooks?limit=100', undefined, manageB);
      expect(listA.body.data.map((e: { id: string }) => e.id)).toContain(ofA.id);
      expect(listA.body.data.map((e: { id: string }) => e.id)).not.toContain(ofB.id);
      expect(listB.body.data.map((e: { id: string }) => e.id)).toEqual([ofB.id]);
    });
  });

  describe('list', () => {
    it('pages through every endpoint in creation order, both ways, with cursors bound to the query', async () => {
      const c = uniqueName('wh-list');
      await new TenantsRepository(t.ds).create(c);
      const key = await mintTestKey(t.ds, c, ['webhooks:read', 'webhooks:manage']);
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) ids.push((await created({ label: `n${i}` }, key)).id);

      const walk = async (query: string): Promise<{ ids: string[]; pages: ApiResponse[] }> => {
        const pages: ApiResponse[] = [];
        let cursor: string | undefined;
        for (;;) {
          const res = await call(
            'GET',
            `/api/v1/webhooks?${query}${cursor ? `&cursor=${cursor}` : ''}`,
            undefined,
            key,
          );
          expect(res.status).toBe(200);
          pages.push(res);
          if (!res.body.meta.has_more) break;
          cursor = res.body.meta.next_cursor;
        }
        return { ids: pages.flatMap((p) => p.body.data.map((e: { id: string }) => e.id)), pages };
      };
      const asc = await walk('limit=3');
      expect(asc.ids).toEqual(ids);
      expect(asc.pages.map((p) => p.body.data.length)).toEqual([3, 3, 1]);
      const last = asc.pages[asc.pages.length - 1]!.body.meta;
      expect(last).toEqual({
        request_id: expect.any(String),
        next_cursor: expect.any(String),
        has_more: false,
      });

      // A poller keeps the last cursor and sees what was created since.
      const later = await created({ label: 'later' }, key);
      const since = await call('GET', `/api/v1/webhooks?limit=3&cursor=${last.next_cursor}`, undefined, key);
      expect(since.body.data.map((e: { id: string }) => e.id)).toEqual([later.id]);

      const desc = await walk('limit=3&order=desc');
      expect(desc.ids).toEqual([...ids, later.id].reverse());
      expect(desc.pages[desc.pages.length - 1]!.body.meta.next_cursor).toBeNull();

      const cursor = asc.pages[0]!.body.meta.next_cursor as string;
      for (const [query, k] of [
        [`order=desc&cursor=${cursor}`, key],
        [`cursor=${cursor}`, manageA],
        [`cursor=${cursor.slice(0, -2)}AA`, key],
        ['cursor=forged', key],
      ] as Array<[string, TestKey]>) {
        const res = await call('GET', `/api/v1/webhooks?${query}`, undefined, k);
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('invalid_cursor');
      }
    });
  });

  describe('rotate-secret', () => {
    const rotate = (id: string, body?: unknown, key: TestKey = manageA) =>
      call('POST', `/api/v1/webhooks/${id}/rotate-secret`, body, key);

    it('returns a new secret once and keeps the old one sealed in the previous slot for the grace window', async () => {
      const ep = await created();
      const before = Date.now();
      const res = await rotate(ep.id, { grace_seconds: 3600 });
      expect(res.status).toBe(200);
      const rotated = res.body.data;
      expect(Object.keys(rotated)).toEqual([...ENDPOINT_FIELDS, 'previous_secret_expires_at', 'secret']);
      expect(rotated.secret).toMatch(HMAC_SECRET);
      expect(rotated.secret).not.toBe(ep.secret);
      expect(rotated.previous_secret_expires_at).toMatch(TIME);
      const expires = Date.parse(rotated.previous_secret_expires_at);
      expect(expires).toBeGreaterThanOrEqual(before + 3600_000 - 5_000);
      expect(expires).toBeLessThanOrEqual(Date.now() + 3600_000 + 5_000);

      const stored = await storedSecrets(ep.id);
      const binding = { tenant: a, endpointId: ep.id };
      expect(
        box.open(
          { keyId: stored.secret_key_id, sealed: stored.secret_sealed },
          { ...binding, slot: 'current' },
        ),
      ).toBe(rotated.secret);
      const previous = { keyId: stored.previous_secret_key_id, sealed: stored.previous_secret_sealed };
      expect(box.open(previous, { ...binding, slot: 'previous' })).toBe(ep.secret);
      // Sealed for its slot: the same bytes do not open as the current secret.
      expect(() => box.open(previous, { ...binding, slot: 'current' })).toThrow();

      // The window shows on reads while it runs, never the secrets.
      const get = await call('GET', `/api/v1/webhooks/${ep.id}`, undefined, readA);
      expect(get.body.data.previous_secret_expires_at).toBe(rotated.previous_secret_expires_at);
      expect(JSON.stringify(get.body)).not.toContain(rotated.secret);

      const rows = await audit(ep.id);
      expect(rows.map((r) => [r.action, r.details])).toEqual([
        ['webhook_endpoint.created', expect.any(Object)],
        [
          'webhook_endpoint.secret_rotated',
          {
            grace_seconds: 3600,
            previous_secret_expires_at: rotated.previous_secret_expires_at,
            signing_scheme: 'mobieus-v1',
          },
        ],
      ]);
      const everything = JSON.stringify(
        await t.ds.query(`SELECT details FROM audit_log WHERE tenant = $1`, [a]),
      );
      expect(everything).not.toContain(rotated.secret);
      expect(everything).not.toContain(ep.secret);
    });

    it('grace_seconds 0 purges the old secret at once', async () => {
      const ep = await created();
      await rotate(ep.id, { grace_seconds: 3600 });
      const res = await rotate(ep.id, { grace_seconds: 0 });
      expect(res.status).toBe(200);
      expect(res.body.data).not.toHaveProperty('previous_secret_expires_at');
      expect(Object.keys(res.body.data)).toEqual([...ENDPOINT_FIELDS, 'secret']);
      const stored = await storedSecrets(ep.id);
      expect(stored).toMatchObject({
        previous_secret_key_id: null,
        previous_secret_sealed: null,
        previous_secret_expires_at: null,
      });
      expect(
        box.open(
          { keyId: stored.secret_key_id, sealed: stored.secret_sealed },
          { tenant: a, endpointId: ep.id, slot: 'current' },
        ),
      ).toBe(res.body.data.secret);
    });

    it('without a body the grace window is 24 hours', async () => {
      const ep = await created();
      const res = await rotate(ep.id);
      expect(res.status).toBe(200);
      const expires = Date.parse(res.body.data.previous_secret_expires_at);
      expect(Math.abs(expires - (Date.now() + 86_400_000))).toBeLessThan(10_000);
    });

    it('a grace window that has run out no longer shows', async () => {
      const ep = await created();
      await rotate(ep.id, { grace_seconds: 60 });
      await t.ds.query(
        `UPDATE webhook_endpoints SET previous_secret_expires_at = now() - interval '1 second' WHERE id = $1`,
        [ep.id],
      );
      const get = await call('GET', `/api/v1/webhooks/${ep.id}`);
      expect(Object.keys(get.body.data)).toEqual(ENDPOINT_FIELDS);
    });

    it.each([[-1], [604_801], [1.5], ['60']])('grace_seconds %j is 400', async (grace) => {
      const ep = await created();
      const res = await rotate(ep.id, { grace_seconds: grace });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('bad_request');
      expect(res.body.error.details.length).toBeGreaterThan(0);
      for (const d of res.body.error.details)
        expect(d).toEqual({ field: 'grace_seconds', reason: expect.any(String) });
    });

    it('accepts the largest grace window, 7 days', async () => {
      const ep = await created();
      expect((await rotate(ep.id, { grace_seconds: 604_800 })).status).toBe(200);
    });

    it('moves to and from ed25519 with a new key of the new kind, keeping no previous one', async () => {
      const ep = await created();
      const res = await rotate(ep.id, { signing_scheme: 'standard-webhooks-ed25519', grace_seconds: 3600 });
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ signing_scheme: 'standard-webhooks-ed25519' });
      expect(res.body.data.secret).toMatch(/^whpk_/);
      expect(res.body.data).not.toHaveProperty('previous_secret_expires_at');
      expect((await storedSecrets(ep.id)).previous_secret_sealed).toBeNull();
      const back = await rotate(ep.id, { signing_scheme: 'standard-webhooks' });
      expect(back.body.data).toMatchObject({ signing_scheme: 'standard-webhooks' });
      expect(back.body.data.secret).toMatch(HMAC_SECRET);
      const rows = await audit(ep.id);
      expect(rows.map((r) => r.details)).toContainEqual({
        grace_seconds: 0,
        previous_secret_expires_at: null,
        signing_scheme: 'standard-webhooks-ed25519',
        previous_signing_scheme: 'mobieus-v1',
      });
    });
  });

  describe('test event', () => {
    it('202 with its delivery, due now: the webhook.test event stored for this endpoint only', async () => {
      const ep = await created({ events: ['user.joined'] });
      const other = await created({ events: ['*'] });
      const res = await call('POST', `/api/v1/webhooks/${ep.id}/test`);
      expect(res.status).toBe(202);
      expect(res.body.data).toEqual({
        id: expect.stringMatching(/^dlv_[0-9A-Z]{26}$/),
        event_id: expect.stringMatching(new RegExp(PUBLIC_ID_PATTERN)),
        event_type: 'webhook.test',
        endpoint_id: ep.id,
        status: 'pending',
        attempt_count: 0,
        max_attempts: expect.any(Number),
        next_attempt_at: expect.stringMatching(TIME),
        created_at: expect.stringMatching(TIME),
        attempts: [],
      });
      const eventId: string = res.body.data.event_id;
      const [message] = await t.ds.query(
        `SELECT payload FROM webhook_messages WHERE tenant = $1 AND event_id = $2`,
        [a, eventId],
      );
      const body = JSON.parse(message.payload);
      expect(Object.keys(body)).toEqual(['id', 'type', 'created_at', 'data']);
      expect(body).toEqual({
        id: eventId,
        type: 'webhook.test',
        created_at: expect.stringMatching(TIME),
        data: { endpoint_id: ep.id, message: 'This is a test event from Herald.' },
      });
      const deliveries = await t.ds.query(`SELECT endpoint_id FROM webhook_deliveries WHERE event_id = $1`, [
        eventId,
      ]);
      expect(deliveries).toEqual([{ endpoint_id: ep.id }]);
      expect(other.id).not.toBe(ep.id);
    });

    it('takes a type of the catalogue and data, checked: 400 for a bad shape, 422 for a bad event', async () => {
      const ep = await created({ events: ['user.joined'] });
      const cases: Array<[unknown, number, string]> = [
        [{ type: 'post.nonsense' }, 400, 'bad_request'],
        [{ data: [1, 2] }, 400, 'bad_request'],
        [{ data: 'text' }, 400, 'bad_request'],
        [{ data: { blob: 'x'.repeat(17 * 1024) } }, 400, 'bad_request'],
        [{ extra: true }, 400, 'bad_request'],
        [{ type: 'post.created' }, 422, 'invalid_test_event'],
        [{ type: 'post.created', data: { nonsense: true } }, 422, 'invalid_test_event'],
      ];
      for (const [body, status, code] of cases) {
        const res = await call('POST', `/api/v1/webhooks/${ep.id}/test`, body);
        expect([JSON.stringify(body).slice(0, 60), res.status, res.body.error?.code]).toEqual([
          JSON.stringify(body).slice(0, 60),
          status,
          code,
        ]);
      }
      const none = await t.ds.query(
        `SELECT count(*)::int AS n FROM webhook_deliveries WHERE endpoint_id = $1`,
        [ep.id],
      );
      expect(none).toEqual([{ n: 0 }]);
    });

    it('a disabled endpoint is 409 endpoint_disabled; an unknown one 404', async () => {
      const ep = await created({ active: false });
      const res = await call('POST', `/api/v1/webhooks/${ep.id}/test`);
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('endpoint_disabled');
      const unknown = await call('POST', '/api/v1/webhooks/ep_01JG5K8HW2X4A8Q3M1T6KQ7BWP/test');
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.code).toBe('endpoint_not_found');
    });
  });
});
