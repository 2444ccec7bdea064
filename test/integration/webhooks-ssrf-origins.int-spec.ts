/**
 * Only an exact origin allowed (`HERALD_WEBHOOK_ALLOW_ORIGINS`, as `herald dev` allows its
 * demo receiver): through the real API and dispatcher, that origin registers and is
 * delivered to, while every URL of the internal-address corpus is refused at registration
 * with the SSRF reason; and an endpoint on another port of 127.0.0.1 that got into the
 * database anyway is refused when dialled, its receiver never seeing a connection.
 */
import { HeraldProducer, TenantsRepository } from '@herald/platform';
import { DispatcherModule } from '../../apps/dispatcher/src/dispatcher.module';
import { GatewayModule } from '../../apps/gateway/src/gateway.module';
import { internalUrls } from '../fixtures/internal-urls';
import { apiRequest, ApiResponse, mintTestKey, TestKey } from '../support/api-keys';
import { startTestApp, TestApp } from '../support/app';
import { eventually, testKafka, uniqueName } from '../support/infra';
import { createTestCa, TestCa } from '../support/tls';
import { startWebhookReceiver, WebhookReceiver } from '../support/webhook-receiver';
import { publicEvent, publish, seedEndpoint } from '../support/webhooks';

describe('SSRF guard with one exact origin allowed', () => {
  let ca: TestCa;
  let t: TestApp;
  let receiver: WebhookReceiver;
  /** 127.0.0.1 too, on another port: what the allowed origin must not open. */
  let sameHost: WebhookReceiver;
  let producer: HeraldProducer;
  let key: TestKey;
  const tenant = uniqueName('ssrf-origin');

  beforeAll(async () => {
    ca = createTestCa();
    receiver = await startWebhookReceiver({ ca, behaviour: { status: 204 } });
    sameHost = await startWebhookReceiver({ ca, behaviour: { status: 204 } });
    t = await startTestApp([GatewayModule, DispatcherModule], {
      webhookAllowCidrs: [],
      webhookAllowOrigins: [receiver.url],
      webhookCaFile: ca.certFile,
      webhookDelivery: {
        endpointConcurrency: 4,
        backlogBusyPercent: 50,
        breakerResetMs: 30_000,
        breakerVolumeThreshold: 100,
        breakerErrorPercent: 100,
        breakerWindowMs: 60_000,
        pollIntervalMs: 200,
      },
    });
    await new TenantsRepository(t.ds).create(tenant);
    key = await mintTestKey(t.ds, tenant, ['webhooks:read', 'webhooks:manage']);
    producer = new HeraldProducer(testKafka('webhooks-ssrf-origins'));
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await t?.close();
    await receiver?.close();
    await sameHost?.close();
    ca?.dispose();
  });

  const register = (url: string): Promise<ApiResponse> =>
    apiRequest(t.baseUrl, '/api/v1/webhooks', {
      tenant,
      key: key.key,
      method: 'POST',
      body: { url, events: ['*'] },
    });

  it('refuses every URL of the internal-address corpus with the SSRF reason', async () => {
    const corpus = internalUrls(receiver.port);
    expect(corpus.length).toBeGreaterThanOrEqual(60);
    const answers: Array<{ url: string; status: number; code: string; field: string }> = [];
    for (const url of corpus) {
      const res = await register(url);
      answers.push({
        url,
        status: res.status,
        code: res.body?.error?.code,
        field: res.body?.error?.details?.[0]?.field,
      });
    }
    expect(answers).toEqual(
      corpus.map((url) => ({ url, status: 422, code: 'invalid_endpoint', field: 'url' })),
    );
    const stored = await t.ds.query(`SELECT count(*)::int AS n FROM webhook_endpoints WHERE tenant = $1`, [
      tenant,
    ]);
    expect(stored).toEqual([{ n: 0 }]);
  });

  it('registers the allowed origin and delivers to it', async () => {
    const res = await register(`${receiver.url}/webhooks`);
    expect(res.status).toBe(201);
    const event = publicEvent('post.created');
    await publish(producer, tenant, [event]);
    const [req] = await receiver.waitForRequests(1, 30_000);
    expect(req).toMatchObject({ method: 'POST', path: '/webhooks', remoteAddress: '127.0.0.1' });
    expect(req!.headers['mobieus-event-id']).toBe(event.id);
    await eventually(async () => {
      const rows: Array<{ status: string }> = await t.ds.query(
        `SELECT status FROM webhook_deliveries WHERE endpoint_id = $1`,
        [res.body.data.id],
      );
      return rows.length === 1 && rows[0]!.status === 'succeeded' ? rows : undefined;
    }, 20_000);
  });

  it('refuses to dial another port of 127.0.0.1 that got past registration', async () => {
    const other = uniqueName('ssrf-other');
    await new TenantsRepository(t.ds).create(other);
    const ep = await seedEndpoint(t.ds, { tenant: other, url: `${sameHost.url}/hooks` });
    await publish(producer, other, [publicEvent('post.created')]);
    const attempt = await eventually(async () => {
      const rows: Array<{ error: string | null; status_code: number | null }> = await t.ds.query(
        `SELECT a.error, a.status_code FROM webhook_attempts a
           JOIN webhook_deliveries d ON d.id = a.delivery_id WHERE d.endpoint_id = $1`,
        [ep.id],
      );
      return rows[0];
    }, 30_000);
    expect(attempt).toEqual({ error: 'ssrf: 127.0.0.1 is loopback', status_code: null });
    expect(sameHost.connections).toBe(0);
    expect(sameHost.requests).toHaveLength(0);
  });
});
