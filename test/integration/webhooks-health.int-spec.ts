/**
 * The webhook health summary, per-endpoint figures, tenant settings and test events over
 * the real pipeline: the gateway and the dispatcher with its delivery workers in one
 * process, real Kafka and Postgres, and an HTTPS receiver on loopback with one path that
 * answers 204 and one that answers 500. Every wait is on delivery rows or received
 * requests.
 */
import { HeraldProducer, TenantsRepository } from '@herald/platform';
import { DispatcherModule } from '../../apps/dispatcher/src/dispatcher.module';
import { GatewayModule } from '../../apps/gateway/src/gateway.module';
import { apiRequest, ApiResponse, mintTestKey, TestKey } from '../support/api-keys';
import { startTestApp, TestApp } from '../support/app';
import { eventually, testKafka, uniqueName } from '../support/infra';
import { createTestCa, TestCa } from '../support/tls';
import { startWebhookReceiver, verifyMobieusSignature, WebhookReceiver } from '../support/webhook-receiver';
import { publicEvent, publish, seedEndpoint } from '../support/webhooks';
import { newUlid } from '@herald/contracts';

interface Endpoint {
  id: string;
  secret: string;
}

describe('webhook health, settings and test events over the delivery pipeline', () => {
  let ca: TestCa;
  let t: TestApp;
  let receiver: WebhookReceiver;
  let producer: HeraldProducer;
  const tenant = uniqueName('whh');
  let key: TestKey;
  let healthy: Endpoint;
  let failing: Endpoint;

  const call = (method: string, path: string, body?: unknown): Promise<ApiResponse> =>
    apiRequest(t.baseUrl, path, { tenant, key: key.key, method, body });

  async function register(path: string, events: string[]): Promise<Endpoint> {
    const res = await call('POST', '/api/v1/webhooks', { url: `${receiver.url}${path}`, events });
    expect(res.status).toBe(201);
    return { id: res.body.data.id, secret: res.body.data.secret };
  }

  /** The endpoint's deliveries once `count` of them exist and all have finished. */
  async function finished(ep: Endpoint, count: number) {
    return eventually(async () => {
      const rows: Array<{ id: string; status: string; max_attempts: number; attempt_count: number }> =
        await t.ds.query(
          `SELECT id, status, max_attempts, attempt_count FROM webhook_deliveries
            WHERE endpoint_id = $1 ORDER BY id`,
          [ep.id],
        );
      return rows.length >= count && rows.every((r) => ['succeeded', 'dead'].includes(r.status))
        ? rows
        : undefined;
    }, 60_000);
  }

  beforeAll(async () => {
    ca = createTestCa();
    receiver = await startWebhookReceiver({ ca });
    receiver.behave((req) => ({ status: req.path.startsWith('/fail') ? 500 : 204 }));
    t = await startTestApp([GatewayModule, DispatcherModule], {
      webhookAllowCidrs: ['127.0.0.1/32'],
      webhookCaFile: ca.certFile,
      webhookDelivery: {
        endpointConcurrency: 4,
        backlogBusyPercent: 50,
        breakerResetMs: 500,
        breakerVolumeThreshold: 3,
        breakerErrorPercent: 50,
        breakerWindowMs: 10_000,
        pollIntervalMs: 200,
      },
    });
    await new TenantsRepository(t.ds).create(tenant);
    key = await mintTestKey(t.ds, tenant, ['webhooks:read', 'webhooks:manage', 'settings:manage']);
    producer = new HeraldProducer(testKafka('webhooks-health'));
    await producer.connect();
    healthy = await register('/ok', ['*']);
    failing = await register('/fail', ['post.*']);
  });

  afterAll(async () => {
    await producer?.disconnect();
    await t?.close();
    await receiver?.close();
    ca?.dispose();
  });

  it('is green with nothing delivered yet, every endpoint listed with a closed breaker', async () => {
    const res = await call('GET', '/api/v1/webhooks/health');
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      status: 'green',
      success_rate_24h: null,
      deliveries_24h: { succeeded: 0, failed: 0, dead: 0, pending: 0, cancelled: 0 },
      oldest_pending_age_seconds: null,
      dead_endpoints: 0,
      disabled_endpoints: 0,
      endpoints: [healthy, failing]
        .sort((x, y) => (x.id < y.id ? -1 : 1))
        .map((ep) => ({
          id: ep.id,
          url: `${receiver.url}${ep === healthy ? '/ok' : '/fail'}`,
          label: null,
          active: true,
          disabled_reason: null,
          breaker: 'closed',
          breaker_since: null,
          success_rate_24h: null,
          deliveries_24h: { succeeded: 0, failed: 0, dead: 0, pending: 0, cancelled: 0 },
          last_attempt_at: null,
          consecutive_failures: 0,
          oldest_pending_age_seconds: null,
        })),
    });
  });

  it('stays green while deliveries succeed; a settings change applies to the very next delivery', async () => {
    // Read with the deployment's schedule (7 attempts): the workers now hold the tenant's settings.
    await publish(producer, tenant, [publicEvent('user.joined'), publicEvent('user.joined')]);
    const ok = await finished(healthy, 2);
    expect(ok.map((d) => [d.status, d.max_attempts])).toEqual([
      ['succeeded', 7],
      ['succeeded', 7],
    ]);
    const green = await call('GET', '/api/v1/webhooks/health');
    expect(green.body.data).toMatchObject({
      status: 'green',
      success_rate_24h: 1,
      deliveries_24h: { succeeded: 2, failed: 0, dead: 0, pending: 0 },
    });

    const patched = await call('PATCH', '/api/v1/settings', { retry_schedule: ['0', '1s'] });
    expect(patched.status).toBe(200);
    // At once (the workers' copy lives 5 s): without the announcement these would get 7 attempts,
    // a minute apart, and never finish within the wait.
    await publish(producer, tenant, [publicEvent('post.created'), publicEvent('post.created')]);
    const dead = await finished(failing, 2);
    expect(dead.map((d) => [d.status, d.max_attempts, d.attempt_count])).toEqual([
      ['dead', 2, 2],
      ['dead', 2, 2],
    ]);
    await finished(healthy, 4);
  });

  it('turns red when deliveries die, with each endpoint’s own figures', async () => {
    const res = await call('GET', '/api/v1/webhooks/health');
    // 4 succeeded, 2 dead: 66.67 % < 90 %.
    expect(res.body.data).toMatchObject({
      status: 'red',
      success_rate_24h: 0.6667,
      deliveries_24h: { succeeded: 4, failed: 0, dead: 2, pending: 0, cancelled: 0 },
      oldest_pending_age_seconds: null,
      dead_endpoints: 0,
    });
    const byId = new Map(res.body.data.endpoints.map((e: { id: string }) => [e.id, e]));
    expect(byId.get(healthy.id)).toMatchObject({
      success_rate_24h: 1,
      deliveries_24h: { succeeded: 4, dead: 0 },
      consecutive_failures: 0,
      last_attempt_at: expect.stringMatching(/Z$/),
    });
    expect(byId.get(failing.id)).toMatchObject({
      success_rate_24h: 0,
      deliveries_24h: { succeeded: 0, dead: 2 },
      consecutive_failures: 2,
      last_attempt_at: expect.stringMatching(/Z$/),
    });
    // The failures tripped the failing endpoint's breaker; the workers recorded it for the API.
    const stats = await eventually(async () => {
      const s = await call('GET', `/api/v1/webhooks/${failing.id}/stats`);
      return s.body.data.breaker !== 'closed' ? s : undefined;
    });
    expect(stats.status).toBe(200);
    expect(stats.body.data).toMatchObject({
      id: failing.id,
      breaker: expect.stringMatching(/^(open|half_open)$/),
      breaker_since: expect.stringMatching(/Z$/),
      success_rate_24h: 0,
      deliveries_24h: { succeeded: 0, failed: 0, dead: 2, pending: 0, cancelled: 0 },
      consecutive_failures: 2,
    });
    const healthyStats = await call('GET', `/api/v1/webhooks/${healthy.id}/stats`);
    expect(healthyStats.body.data).toMatchObject({ breaker: 'closed', success_rate_24h: 1 });
    const unknown = await call('GET', '/api/v1/webhooks/ep_01JG5K8HW2X4A8Q3M1T6KQ7BWP/stats');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('endpoint_not_found');
  });

  it('counts an endpoint Herald disabled as dead', async () => {
    const patched = await call('PATCH', '/api/v1/settings', { auto_disable_threshold: 3 });
    expect(patched.status).toBe(200);
    await publish(producer, tenant, [publicEvent('post.created')]);
    await eventually(async () => {
      const [row] = await t.ds.query(`SELECT active, disabled_reason FROM webhook_endpoints WHERE id = $1`, [
        failing.id,
      ]);
      return row.active === false ? row : undefined;
    }, 60_000);
    const res = await call('GET', '/api/v1/webhooks/health');
    expect(res.body.data).toMatchObject({ status: 'red', dead_endpoints: 1, disabled_endpoints: 1 });
    expect(res.body.data.endpoints.find((e: { id: string }) => e.id === failing.id)).toMatchObject({
      active: false,
      disabled_reason: 'consecutive_failures',
      consecutive_failures: 3,
    });
  });

  it('counts the deliveries created in the last 24 hours, and colours by the oldest pending one', async () => {
    const slug = uniqueName('whh-aged');
    await new TenantsRepository(t.ds).create(slug);
    const k = await mintTestKey(t.ds, slug, ['webhooks:read']);
    // Never dialled: every delivery below is due an hour from now.
    const ep = await seedEndpoint(t.ds, { tenant: slug, url: `${receiver.url}/aged` });
    const seed = (status: string, ageMs: number) => {
      const at = new Date(Date.now() - ageMs);
      return t.ds.query(
        `INSERT INTO webhook_deliveries (id, tenant, endpoint_id, event_id, event_type, status, attempt_count,
                                         max_attempts, next_attempt_at, created_at)
         VALUES ($1, $2, $3, $4, 'post.created', $5, 0, 3,
                 CASE WHEN $5 IN ('pending', 'retrying') THEN now() + interval '1 hour' END, $6)`,
        [`dlv_${newUlid(at.getTime())}`, slug, ep.id, `evt_${newUlid(at.getTime())}`, status, at],
      );
    };
    const health = async () =>
      (await apiRequest(t.baseUrl, '/api/v1/webhooks/health', { tenant: slug, key: k.key })).body.data;

    await seed('succeeded', 25 * 3_600_000);
    await seed('dead', 25 * 3_600_000);
    expect(await health()).toMatchObject({
      status: 'green',
      success_rate_24h: null,
      deliveries_24h: { succeeded: 0, failed: 0, dead: 0, pending: 0, cancelled: 0 },
      oldest_pending_age_seconds: null,
    });
    await seed('pending', 10 * 60_000);
    await seed('succeeded', 60_000);
    const amber = await health();
    expect(amber).toMatchObject({
      status: 'amber',
      success_rate_24h: 1,
      deliveries_24h: { succeeded: 1, pending: 1 },
    });
    expect(amber.oldest_pending_age_seconds).toBeGreaterThanOrEqual(600);
    expect(amber.oldest_pending_age_seconds).toBeLessThan(3600);
    // Created (and pending) for 26 hours: outside the window's counts, but the oldest pending: red.
    await seed('retrying', 26 * 3_600_000);
    const red = await health();
    expect(red).toMatchObject({ status: 'red', deliveries_24h: { succeeded: 1, failed: 0, pending: 1 } });
    expect(red.oldest_pending_age_seconds).toBeGreaterThanOrEqual(26 * 3600);
  });

  it('sends a test event with custom data, signed, to that endpoint only, and answers with its delivery', async () => {
    const res = await call('POST', `/api/v1/webhooks/${healthy.id}/test`, {
      data: { order: { id: 42, total: 9.5 } },
    });
    expect(res.status).toBe(202);
    expect(res.body.data).toMatchObject({
      endpoint_id: healthy.id,
      status: 'pending',
      event_type: 'webhook.test',
    });
    const deliveryId: string = res.body.data.id;
    const req = await eventually(async () =>
      receiver.requests.find((r) => r.headers['mobieus-delivery-id'] === deliveryId),
    );
    const body = JSON.parse(req.body);
    expect(body).toEqual({
      id: res.body.data.event_id,
      type: 'webhook.test',
      created_at: expect.stringMatching(/Z$/),
      data: {
        endpoint_id: healthy.id,
        message: 'This is a test event from Herald.',
        order: { id: 42, total: 9.5 },
      },
    });
    expect(verifyMobieusSignature(healthy.secret, req.headers['mobieus-signature'], req.rawBody)).toEqual({
      valid: true,
      matched: 'v1',
    });
    const delivered = await eventually(async () => {
      const list = await call('GET', `/api/v1/webhooks/${healthy.id}/deliveries?order=desc&limit=1`);
      return list.body.data[0]?.status === 'succeeded' ? list.body.data[0] : undefined;
    });
    expect(delivered).toMatchObject({ id: deliveryId, attempt_count: 1 });

    // Another type of the catalogue, with its data; no other subscriber of that type gets it.
    const sample = publicEvent('post.created').data;
    const typed = await call('POST', `/api/v1/webhooks/${healthy.id}/test`, {
      type: 'post.created',
      data: sample,
    });
    expect(typed.status).toBe(202);
    const typedReq = await eventually(async () =>
      receiver.requests.find((r) => r.headers['mobieus-delivery-id'] === typed.body.data.id),
    );
    expect(JSON.parse(typedReq.body)).toMatchObject({ type: 'post.created', data: sample });
    expect(typedReq.headers['mobieus-event-type']).toBe('post.created');
    const copies = await t.ds.query(`SELECT endpoint_id FROM webhook_deliveries WHERE event_id = $1`, [
      typed.body.data.event_id,
    ]);
    expect(copies).toEqual([{ endpoint_id: healthy.id }]);
  });
});
