/**
 * The delivery log routes of DESIGN.md §6 and `herald deliveries replay`: deliveries
 * with their attempts, keyset pages and the status filter, and replays that reset a
 * finished delivery and wake the workers (NOTIFY), over real HTTP and the real binary.
 * The rows are written straight into the tables, as the dispatcher and workers would.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Client, Notification } from 'pg';
import { TenantsRepository } from '@herald/platform';
import { monotonicFactory } from 'ulid';
import { GatewayModule } from '../../apps/gateway/src/gateway.module';
import { apiRequest, ApiResponse, mintTestKey, TestKey } from '../support/api-keys';
import { startTestApp, TestApp } from '../support/app';
import { cleanEnv, runHeraldAsync } from '../support/herald-process';
import { rawClient, testDatabaseUrl, uniqueName } from '../support/infra';

const DELIVERY_FIELDS = [
  'id',
  'event_id',
  'event_type',
  'endpoint_id',
  'status',
  'attempt_count',
  'max_attempts',
  'next_attempt_at',
  'created_at',
  'attempts',
];
const ATTEMPT_FIELDS = ['n', 'status_code', 'latency_ms', 'response_body', 'error', 'request_headers', 'at'];
const nextUlid = monotonicFactory();

interface Seed {
  status: 'pending' | 'retrying' | 'succeeded' | 'dead' | 'cancelled';
  attempts: number;
  maxAttempts?: number;
  leasedFor?: string;
}

describe('webhooks API: deliveries', () => {
  let t: TestApp;
  const a = uniqueName('whd-a');
  const b = uniqueName('whd-b');
  let key: TestKey;
  let keyB: TestKey;
  let endpoint: string;
  let seeded: string[];

  const call = (method: string, p: string, k: TestKey = key): Promise<ApiResponse> =>
    apiRequest(t.baseUrl, p, { tenant: k.tenant, key: k.key, method });

  async function newEndpoint(k: TestKey = key, body: Record<string, unknown> = {}): Promise<string> {
    const res = await apiRequest(t.baseUrl, '/api/v1/webhooks', {
      tenant: k.tenant,
      key: k.key,
      method: 'POST',
      body: { url: 'https://93.184.216.34/hook', events: ['*'], ...body },
    });
    expect(res.status).toBe(201);
    return res.body.data.id;
  }

  /** A delivery as the dispatcher and workers leave it, with its attempts (one a minute apart). */
  async function seedDelivery(tenant: string, endpointId: string, s: Seed): Promise<string> {
    const id = `dlv_${nextUlid()}`;
    const eventId = `evt_${nextUlid()}`;
    await t.ds.query(
      `INSERT INTO webhook_messages (tenant, event_id, event_type, payload) VALUES ($1, $2, 'post.created', '{}')`,
      [tenant, eventId],
    );
    await t.ds.query(
      `INSERT INTO webhook_deliveries (id, tenant, endpoint_id, event_id, event_type, status, attempt_count,
                                       max_attempts, next_attempt_at, lease_owner, lease_until)
       VALUES ($1, $2, $3, $4, 'post.created', $5, $6, $7,
               CASE WHEN $5 IN ('pending', 'retrying') THEN now() + interval '1 hour' END,
               CASE WHEN $8::text IS NULL THEN NULL ELSE 'worker-1' END,
               CASE WHEN $8::text IS NULL THEN NULL ELSE now() + $8::interval END)`,
      [id, tenant, endpointId, eventId, s.status, s.attempts, s.maxAttempts ?? 7, s.leasedFor ?? null],
    );
    for (let n = 1; n <= s.attempts; n++) {
      const last = n === s.attempts;
      await t.ds.query(
        `INSERT INTO webhook_attempts (delivery_id, n, tenant, at, status_code, latency_ms, response_body, error,
                                       request_headers, max_attempts, next_attempt_at)
         VALUES ($1, $2, $3, now() - make_interval(mins => $4), $5, $6, $7, $8, $9::jsonb, 7, NULL)`,
        [
          id,
          n,
          tenant,
          s.attempts - n,
          last && s.status === 'succeeded' ? 200 : n % 2 === 0 ? null : 503,
          100 + n,
          last && s.status === 'succeeded' ? 'ok' : n % 2 === 0 ? null : 'unavailable',
          n % 2 === 0 ? 'connect ETIMEDOUT' : null,
          JSON.stringify({
            'content-type': 'application/json',
            'mobieus-signature': `t=1,v1=${'ab'.repeat(32)}`,
          }),
        ],
      );
    }
    return id;
  }

  const row = async (id: string) =>
    (
      await t.ds.query(
        `SELECT status, attempt_count, max_attempts, lease_owner, lease_until,
                extract(epoch FROM next_attempt_at - now()) AS due_in
           FROM webhook_deliveries WHERE id = $1`,
        [id],
      )
    )[0];

  beforeAll(async () => {
    t = await startTestApp([GatewayModule]);
    const tenants = new TenantsRepository(t.ds);
    await tenants.create(a);
    await tenants.create(b);
    key = await mintTestKey(t.ds, a, ['webhooks:read', 'webhooks:manage']);
    keyB = await mintTestKey(t.ds, b, ['webhooks:read', 'webhooks:manage']);
    endpoint = await newEndpoint();
    seeded = [];
    const statuses: Seed[] = [
      { status: 'succeeded', attempts: 1 },
      { status: 'dead', attempts: 3, maxAttempts: 3 },
      { status: 'retrying', attempts: 2 },
      { status: 'succeeded', attempts: 3 },
      { status: 'pending', attempts: 0 },
      { status: 'cancelled', attempts: 1 },
      { status: 'dead', attempts: 2, maxAttempts: 2 },
    ];
    for (const s of statuses) seeded.push(await seedDelivery(a, endpoint, s));
  });
  afterAll(async () => {
    await t.close();
  });

  describe('list', () => {
    it('items are exactly the delivery objects, each with all its attempts in order', async () => {
      const res = await call('GET', `/api/v1/webhooks/${endpoint}/deliveries?limit=100`);
      expect(res.status).toBe(200);
      expect(res.body.data.map((d: { id: string }) => d.id)).toEqual(seeded);
      for (const d of res.body.data) {
        expect(Object.keys(d)).toEqual(DELIVERY_FIELDS);
        for (const at of d.attempts) expect(Object.keys(at)).toEqual(ATTEMPT_FIELDS);
        expect(d.attempts.map((x: { n: number }) => x.n)).toEqual(
          Array.from({ length: d.attempt_count }, (_, i) => i + 1),
        );
      }
      const [stored] = await t.ds.query(`SELECT event_id FROM webhook_deliveries WHERE id = $1`, [seeded[3]]);
      const ok = res.body.data[3];
      expect(ok).toEqual({
        id: seeded[3],
        event_id: stored.event_id,
        event_type: 'post.created',
        endpoint_id: endpoint,
        status: 'succeeded',
        attempt_count: 3,
        max_attempts: 7,
        next_attempt_at: null,
        created_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/),
        attempts: [
          {
            n: 1,
            status_code: 503,
            latency_ms: 101,
            response_body: 'unavailable',
            error: null,
            request_headers: {
              'content-type': 'application/json',
              'mobieus-signature': `t=1,v1=${'ab'.repeat(32)}`,
            },
            at: expect.stringMatching(/\.\d{6}Z$/),
          },
          expect.objectContaining({
            n: 2,
            status_code: null,
            error: 'connect ETIMEDOUT',
            response_body: null,
          }),
          expect.objectContaining({ n: 3, status_code: 200, response_body: 'ok' }),
        ],
      });
      expect(ok.attempts[0].at < ok.attempts[2].at).toBe(true);
      expect(res.body.data[4]).toMatchObject({
        status: 'pending',
        attempts: [],
        next_attempt_at: expect.any(String),
      });
    });

    it('pages oldest first or newest first, never skipping or repeating', async () => {
      const walk = async (query: string): Promise<string[]> => {
        const ids: string[] = [];
        let cursor: string | undefined;
        for (let pages = 0; pages < 20; pages++) {
          const res = await call(
            'GET',
            `/api/v1/webhooks/${endpoint}/deliveries?${query}${cursor ? `&cursor=${cursor}` : ''}`,
          );
          expect(res.status).toBe(200);
          expect(res.body.data.length).toBeLessThanOrEqual(3);
          ids.push(...res.body.data.map((d: { id: string }) => d.id));
          if (!res.body.meta.has_more) return ids;
          cursor = res.body.meta.next_cursor;
        }
        throw new Error('runaway pagination');
      };
      expect(await walk('limit=3')).toEqual(seeded);
      expect(await walk('limit=3&order=desc')).toEqual([...seeded].reverse());
    });

    it('filters by status, and a cursor works only for the query that issued it', async () => {
      const dead = await call('GET', `/api/v1/webhooks/${endpoint}/deliveries?status=dead&limit=1`);
      expect(dead.status).toBe(200);
      expect(dead.body.data.map((d: { id: string }) => d.id)).toEqual([seeded[1]]);
      expect(dead.body.meta.has_more).toBe(true);
      const next = await call(
        'GET',
        `/api/v1/webhooks/${endpoint}/deliveries?status=dead&limit=1&cursor=${dead.body.meta.next_cursor}`,
      );
      expect(next.body.data.map((d: { id: string }) => d.id)).toEqual([seeded[6]]);
      for (const query of [
        `status=succeeded&cursor=${dead.body.meta.next_cursor}`,
        `cursor=${dead.body.meta.next_cursor}`,
      ]) {
        const res = await call('GET', `/api/v1/webhooks/${endpoint}/deliveries?${query}`);
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('invalid_cursor');
      }
      const bad = await call('GET', `/api/v1/webhooks/${endpoint}/deliveries?status=failed`);
      expect(bad.status).toBe(400);
      expect(bad.body.error.details).toEqual([{ field: 'status', reason: expect.any(String) }]);
    });

    it('filters by several statuses, repeated or comma-separated, one cursor for both spellings', async () => {
      const ids = (res: ApiResponse): string[] => res.body.data.map((d: { id: string }) => d.id);
      const comma = await call('GET', `/api/v1/webhooks/${endpoint}/deliveries?status=dead,retrying&limit=2`);
      expect(comma.status).toBe(200);
      expect(ids(comma)).toEqual([seeded[1], seeded[2]]);
      const repeated = await call(
        'GET',
        `/api/v1/webhooks/${endpoint}/deliveries?status=retrying&status=dead&limit=2&cursor=${comma.body.meta.next_cursor}`,
      );
      expect(repeated.status).toBe(200);
      expect(ids(repeated)).toEqual([seeded[6]]);
      const oneBad = await call('GET', `/api/v1/webhooks/${endpoint}/deliveries?status=dead,failed`);
      expect(oneBad.status).toBe(400);
      expect(oneBad.body.error.code).toBe('bad_request');
    });

    it('an endpoint without deliveries has an empty log; an unknown or foreign one is 404', async () => {
      const quiet = await newEndpoint();
      const empty = await call('GET', `/api/v1/webhooks/${quiet}/deliveries`);
      expect(empty.status).toBe(200);
      expect(empty.body.data).toEqual([]);
      expect(empty.body.meta).toEqual({
        request_id: expect.any(String),
        next_cursor: expect.any(String),
        has_more: false,
      });
      const foreign = await call('GET', `/api/v1/webhooks/${endpoint}/deliveries`, keyB);
      expect(foreign.status).toBe(404);
      expect(foreign.body.error.code).toBe('endpoint_not_found');
      const unknown = await call('GET', '/api/v1/webhooks/ep_01JG5K8HW2X4A8Q3M1T6KQ7BWP/deliveries');
      expect(unknown.status).toBe(404);
    });
  });

  describe('payload', () => {
    it('is the exact body the delivery sends', async () => {
      const id = seeded[3]!;
      const body = '{"id":"evt_x","type":"post.created","data":{"post_id":7}}';
      const [stored] = await t.ds.query(`SELECT event_id FROM webhook_deliveries WHERE id = $1`, [id]);
      await t.ds.query(`UPDATE webhook_messages SET payload = $2 WHERE event_id = $1`, [
        stored.event_id,
        body,
      ]);
      const res = await call('GET', `/api/v1/webhooks/deliveries/${id}/payload`);
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual({
        delivery_id: id,
        event_id: stored.event_id,
        event_type: 'post.created',
        payload: body,
      });
    });

    it('an unknown or foreign delivery is 404 delivery_not_found; a malformed id 400', async () => {
      const foreign = await call('GET', `/api/v1/webhooks/deliveries/${seeded[0]}/payload`, keyB);
      expect(foreign.status).toBe(404);
      expect(foreign.body.error.code).toBe('delivery_not_found');
      const unknown = await call('GET', `/api/v1/webhooks/deliveries/dlv_${nextUlid()}/payload`);
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.code).toBe('delivery_not_found');
      const malformed = await call('GET', '/api/v1/webhooks/deliveries/nope/payload');
      expect(malformed.status).toBe(400);
      expect(malformed.body.error.code).toBe('bad_request');
    });
  });

  describe('replay', () => {
    let listener: Client;
    const notifications: Notification[] = [];

    beforeAll(async () => {
      listener = await rawClient();
      listener.on('notification', (n) => notifications.push(n));
      await listener.query('LISTEN herald_deliveries');
    });
    afterAll(async () => {
      await listener.end();
    });

    const notified = async (tenant: string): Promise<void> => {
      const deadline = Date.now() + 5_000;
      while (!notifications.some((n) => n.payload === tenant)) {
        if (Date.now() > deadline) throw new Error(`no herald_deliveries notification for ${tenant}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };

    it('a dead delivery becomes pending, due now, with a fresh run of attempts, and the workers are woken', async () => {
      const id = await seedDelivery(a, endpoint, { status: 'dead', attempts: 3, maxAttempts: 3 });
      notifications.length = 0;
      const res = await call('POST', `/api/v1/webhooks/deliveries/${id}/replay`);
      expect(res.status).toBe(202);
      expect(Object.keys(res.body.data)).toEqual(DELIVERY_FIELDS);
      // The deployment's schedule (the default, 7 attempts) on top of the 3 made.
      expect(res.body.data).toMatchObject({ id, status: 'pending', attempt_count: 3, max_attempts: 10 });
      expect(res.body.data.attempts).toHaveLength(3);
      expect(Math.abs(Date.parse(res.body.data.next_attempt_at) - Date.now())).toBeLessThan(10_000);
      const stored = await row(id);
      expect(stored).toMatchObject({
        status: 'pending',
        max_attempts: 10,
        lease_owner: null,
        lease_until: null,
      });
      expect(Number(stored.due_in)).toBeLessThanOrEqual(0);
      await notified(a);
      expect(notifications.find((n) => n.payload === a)?.channel).toBe('herald_deliveries');
    });

    it("uses the tenant's own retry schedule when it has one", async () => {
      await t.ds.query(`UPDATE tenant_settings SET retry_schedule_ms = '{0,1000,2000}' WHERE tenant = $1`, [
        a,
      ]);
      try {
        for (const status of ['succeeded', 'cancelled'] as const) {
          const id = await seedDelivery(a, endpoint, { status, attempts: 1 });
          const res = await call('POST', `/api/v1/webhooks/deliveries/${id}/replay`);
          expect(res.status).toBe(202);
          expect(res.body.data).toMatchObject({ status: 'pending', attempt_count: 1, max_attempts: 4 });
        }
      } finally {
        await t.ds.query(`UPDATE tenant_settings SET retry_schedule_ms = NULL WHERE tenant = $1`, [a]);
      }
    });

    it('a retrying delivery is brought forward; one under way is left to its worker', async () => {
      const idle = await seedDelivery(a, endpoint, { status: 'retrying', attempts: 2 });
      expect(Number((await row(idle)).due_in)).toBeGreaterThan(3000);
      const res = await call('POST', `/api/v1/webhooks/deliveries/${idle}/replay`);
      expect(res.status).toBe(202);
      expect(res.body.data).toMatchObject({ status: 'retrying', attempt_count: 2, max_attempts: 7 });
      expect(Number((await row(idle)).due_in)).toBeLessThanOrEqual(0);

      const busy = await seedDelivery(a, endpoint, { status: 'pending', attempts: 0, leasedFor: '1 minute' });
      notifications.length = 0;
      const kept = await call('POST', `/api/v1/webhooks/deliveries/${busy}/replay`);
      expect(kept.status).toBe(202);
      const stored = await row(busy);
      expect(stored.lease_owner).toBe('worker-1');
      expect(Number(stored.due_in)).toBeGreaterThan(3000);
      await notified(a);
    });

    it('an unknown or foreign delivery is 404 delivery_not_found; a malformed id 400', async () => {
      const foreign = await call('POST', `/api/v1/webhooks/deliveries/${seeded[1]}/replay`, keyB);
      expect(foreign.status).toBe(404);
      expect(foreign.body.error.code).toBe('delivery_not_found');
      expect((await row(seeded[1]!)).status).toBe('dead');
      const unknown = await call('POST', '/api/v1/webhooks/deliveries/dlv_01JG5K8HW2X4A8Q3M1T6KQ7BWP/replay');
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.code).toBe('delivery_not_found');
      const bad = await call('POST', '/api/v1/webhooks/deliveries/nope/replay');
      expect(bad.status).toBe(400);
      expect(bad.body.error.details).toEqual([{ field: 'delivery_id', reason: expect.any(String) }]);
    });

    it('a delivery of a disabled endpoint is 409 endpoint_disabled and stays as it was', async () => {
      const off = await newEndpoint(key, { active: false });
      const id = await seedDelivery(a, off, { status: 'dead', attempts: 1, maxAttempts: 1 });
      const res = await call('POST', `/api/v1/webhooks/deliveries/${id}/replay`);
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('endpoint_disabled');
      expect(await row(id)).toMatchObject({ status: 'dead', max_attempts: 1 });
    });
  });

  describe('herald deliveries replay', () => {
    let env: NodeJS.ProcessEnv;
    let dataDir: string;

    beforeAll(() => {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-deliveries-'));
      env = cleanEnv({
        DATABASE_URL: testDatabaseUrl(),
        HERALD_DATA_DIR: dataDir,
        HERALD_RETRY_SCHEDULE: '0,1s,2s',
      });
    });
    afterAll(() => {
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    it('replays a delivery of any tenant as the API does, printing it with --json', async () => {
      const ofB = await newEndpoint(keyB);
      const id = await seedDelivery(b, ofB, { status: 'dead', attempts: 2, maxAttempts: 2 });
      const res = await runHeraldAsync(['deliveries', 'replay', id, '--json'], env);
      expect(res.stderr).toBe('');
      expect(res.status).toBe(0);
      const out = JSON.parse(res.stdout);
      expect(Object.keys(out)).toEqual(['tenant', ...DELIVERY_FIELDS]);
      // HERALD_RETRY_SCHEDULE of the operator's environment: 3 more attempts.
      expect(out).toMatchObject({
        tenant: b,
        id,
        endpoint_id: ofB,
        status: 'pending',
        attempt_count: 2,
        max_attempts: 5,
      });
      expect(out.attempts).toHaveLength(2);
      expect(await row(id)).toMatchObject({ status: 'pending', max_attempts: 5, lease_owner: null });
    });

    it('prints a human line without --json', async () => {
      const id = await seedDelivery(a, endpoint, { status: 'succeeded', attempts: 1 });
      const res = await runHeraldAsync(['deliveries', 'replay', id], env);
      expect(res.status).toBe(0);
      expect(res.stderr).toBe('');
      expect(res.stdout).toMatch(
        new RegExp(
          `^replayed delivery ${id} of tenant ${a} \\(endpoint ${endpoint}, event evt_[0-9A-Z]{26}\\): ` +
            'pending, 1 of 4 attempts made, next attempt at \\d{4}-\\d{2}-\\d{2}T[0-9:.]+Z\n$',
        ),
      );
    });

    it('an unknown id is one line on stderr and exit 1', async () => {
      const res = await runHeraldAsync(
        ['deliveries', 'replay', 'dlv_01JG5K8HW2X4A8Q3M1T6KQ7BWP', '--json'],
        env,
      );
      expect(res.status).toBe(1);
      expect(res.stdout).toBe('');
      expect(res.stderr).toBe('herald: no delivery dlv_01JG5K8HW2X4A8Q3M1T6KQ7BWP\n');
    });
  });
});
