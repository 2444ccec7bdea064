/**
 * Real deliveries, through the API, the dispatcher and the delivery workers, to a local
 * HTTPS receiver, checked by verifiers other than Herald's: `standard-webhooks` with the
 * `standardwebhooks` npm package, `standard-webhooks-ed25519` with node:crypto fed the key
 * from `GET /api/v1/webhooks/{id}/public-key` (as a JWK, following the Standard Webhooks
 * `v1a` rules), and every scheme with @herald/receiver. Also the public-key route itself.
 */
import { createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { HeraldProducer, TenantsRepository } from '@herald/platform';
import { verify, verifyDelivery, WebhookVerificationError } from '@herald/receiver';
import { Webhook } from 'standardwebhooks';
import { DispatcherModule } from '../../apps/dispatcher/src/dispatcher.module';
import { GatewayModule } from '../../apps/gateway/src/gateway.module';
import { apiRequest, ApiResponse, mintTestKey, TestKey } from '../support/api-keys';
import { startTestApp, TestApp } from '../support/app';
import { testKafka, uniqueName } from '../support/infra';
import { createTestCa, TestCa } from '../support/tls';
import { ReceivedRequest, startWebhookReceiver, WebhookReceiver } from '../support/webhook-receiver';
import { publicEvent, publish, TestPublicEvent } from '../support/webhooks';

type Scheme = 'mobieus-v1' | 'mobieus-v1-sha512' | 'standard-webhooks' | 'standard-webhooks-ed25519';

/** The Standard Webhooks v1a check, written from the specification with node:crypto only. */
function verifyV1a(publicKey: string, req: ReceivedRequest): boolean[] {
  const raw = Buffer.from(publicKey.replace(/^whpk_/, ''), 'base64');
  const key = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
    format: 'jwk',
  });
  const id = req.headers['webhook-id'] as string;
  const ts = req.headers['webhook-timestamp'] as string;
  const content = Buffer.concat([Buffer.from(`${id}.${ts}.`), req.rawBody]);
  return (req.headers['webhook-signature'] as string)
    .split(' ')
    .filter((s) => s.startsWith('v1a,'))
    .map((s) => cryptoVerify(null, content, key, Buffer.from(s.slice(4), 'base64')));
}

const standardHeaders = (req: ReceivedRequest): Record<string, string> => ({
  'webhook-id': req.headers['webhook-id'] as string,
  'webhook-timestamp': req.headers['webhook-timestamp'] as string,
  'webhook-signature': req.headers['webhook-signature'] as string,
});

describe('Standard Webhooks interoperability of real deliveries', () => {
  let ca: TestCa;
  let t: TestApp;
  let receiver: WebhookReceiver;
  let producer: HeraldProducer;
  let manage: TestKey;
  let eventsOnly: TestKey;
  const tenant = uniqueName('interop');
  const endpoints = {} as Record<Scheme, { id: string; secret: string; path: string }>;

  const call = (method: string, path: string, body?: unknown, key: TestKey = manage): Promise<ApiResponse> =>
    apiRequest(t.baseUrl, path, { tenant: key.tenant, key: key.key, method, body });

  beforeAll(async () => {
    ca = createTestCa();
    receiver = await startWebhookReceiver({ ca, behaviour: { status: 204 } });
    t = await startTestApp([GatewayModule, DispatcherModule], {
      webhookAllowCidrs: ['127.0.0.1/32'],
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
    manage = await mintTestKey(t.ds, tenant, ['webhooks:read', 'webhooks:manage']);
    eventsOnly = await mintTestKey(t.ds, tenant, ['events:read']);
    producer = new HeraldProducer(testKafka('receiver-interop'));
    await producer.connect();
    for (const scheme of [
      'mobieus-v1',
      'mobieus-v1-sha512',
      'standard-webhooks',
      'standard-webhooks-ed25519',
    ] as const) {
      const path = `/hooks/${scheme}`;
      const res = await call('POST', '/api/v1/webhooks', {
        url: `${receiver.url}${path}`,
        events: ['post.*'],
        signing_scheme: scheme,
      });
      expect(res.status).toBe(201);
      endpoints[scheme] = { id: res.body.data.id, secret: res.body.data.secret, path };
    }
  });

  afterAll(async () => {
    await producer?.disconnect();
    await t?.close();
    await receiver?.close();
    ca?.dispose();
  });

  /** Publishes one event and waits until every endpoint received it. */
  async function deliverOne(): Promise<{ event: TestPublicEvent; at: Record<Scheme, ReceivedRequest> }> {
    const event = publicEvent('post.created', { title: 'Grüße, "quoted" ✓' });
    const before = receiver.requests.length;
    await publish(producer, tenant, [event]);
    await receiver.waitForRequests(before + 4, 30_000);
    const mine = receiver.requests.filter((r) => r.body.includes(event.id));
    const at = Object.fromEntries(
      (Object.keys(endpoints) as Scheme[]).map((s) => [s, mine.find((r) => r.path === endpoints[s].path)!]),
    ) as Record<Scheme, ReceivedRequest>;
    for (const r of Object.values(at)) expect(r).toBeDefined();
    return { event, at };
  }

  it('serves the Ed25519 public key of an ed25519 endpoint, the key its create answer showed', async () => {
    const ed = endpoints['standard-webhooks-ed25519'];
    expect(ed.secret).toMatch(/^whpk_[A-Za-z0-9+/]{43}=$/);
    const res = await call('GET', `/api/v1/webhooks/${ed.id}/public-key`, undefined, manage);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      endpoint_id: ed.id,
      signing_scheme: 'standard-webhooks-ed25519',
      public_key: ed.secret,
      key_id: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
  });

  it('answers 409 no_public_key for HMAC endpoints, 404 for an unknown id, 403 without webhooks:read', async () => {
    const hmac = await call('GET', `/api/v1/webhooks/${endpoints['standard-webhooks'].id}/public-key`);
    expect([hmac.status, hmac.body.error.code]).toEqual([409, 'no_public_key']);
    expect(JSON.stringify(hmac.body)).not.toContain(endpoints['standard-webhooks'].secret.slice(6));
    const unknown = await call('GET', '/api/v1/webhooks/ep_01JD4Z8Q6N2J1M3K5P7R9T0V2W/public-key');
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'endpoint_not_found']);
    const ed = endpoints['standard-webhooks-ed25519'];
    const noScope = await call('GET', `/api/v1/webhooks/${ed.id}/public-key`, undefined, eventsOnly);
    expect([noScope.status, noScope.body.error.code]).toEqual([403, 'insufficient_scope']);
    const other = uniqueName('interop-other');
    await new TenantsRepository(t.ds).create(other);
    const stranger = await mintTestKey(t.ds, other, ['webhooks:read']);
    const foreign = await call('GET', `/api/v1/webhooks/${ed.id}/public-key`, undefined, stranger);
    expect([foreign.status, foreign.body.error.code]).toEqual([404, 'endpoint_not_found']);
  });

  it('a standard-webhooks delivery verifies with the standardwebhooks package, a tampered one does not', async () => {
    const { event, at } = await deliverOne();
    const req = at['standard-webhooks'];
    const wh = new Webhook(endpoints['standard-webhooks'].secret);
    expect(wh.verify(req.body, standardHeaders(req))).toEqual(event);
    expect(req.headers['webhook-id']).toBe(event.id);
    expect(() => wh.verify(req.body.replace('✓', '✔'), standardHeaders(req))).toThrow();
    const later = {
      ...standardHeaders(req),
      'webhook-timestamp': String(Number(req.headers['webhook-timestamp']) + 1),
    };
    expect(() => wh.verify(req.body, later)).toThrow();
  });

  it('a standard-webhooks-ed25519 delivery verifies with node:crypto and the downloaded public key', async () => {
    const { event, at } = await deliverOne();
    const req = at['standard-webhooks-ed25519'];
    const key = (
      await call('GET', `/api/v1/webhooks/${endpoints['standard-webhooks-ed25519'].id}/public-key`)
    ).body.data.public_key as string;
    expect(req.headers['webhook-signature']).toMatch(/^v1a,[A-Za-z0-9+/]{86}==$/);
    expect(verifyV1a(key, req)).toEqual([true]);
    expect(verifyV1a(key, { ...req, rawBody: Buffer.from(req.body.replace('✓', '✔')) })).toEqual([false]);
    expect(JSON.parse(req.body)).toEqual(event);
  });

  it('every scheme’s real delivery verifies with @herald/receiver, and fails with another key', async () => {
    const { event, at } = await deliverOne();
    for (const scheme of Object.keys(endpoints) as Scheme[]) {
      const req = at[scheme];
      const d = verifyDelivery(req.headers, req.rawBody, endpoints[scheme].secret);
      expect({ scheme: d.scheme, event: d.event }).toEqual({ scheme, event });
      // Another endpoint's secret (an HMAC one for the HMAC schemes) does not verify it.
      const stranger = scheme === 'mobieus-v1' ? 'mobieus-v1-sha512' : 'mobieus-v1';
      if (scheme !== 'standard-webhooks-ed25519') {
        expect(() => verify(req.headers, req.rawBody, endpoints[stranger].secret, { scheme })).toThrow(
          WebhookVerificationError,
        );
      }
    }
  });

  it('during an ed25519 rotation the route shows both keys and each verifies its own v1a signature', async () => {
    const ed = endpoints['standard-webhooks-ed25519'];
    const old = ed.secret;
    const rotated = await call('POST', `/api/v1/webhooks/${ed.id}/rotate-secret`, { grace_seconds: 3600 });
    expect(rotated.status).toBe(200);
    const fresh = rotated.body.data.secret as string;
    expect(fresh).toMatch(/^whpk_/);
    const keys = (await call('GET', `/api/v1/webhooks/${ed.id}/public-key`)).body.data;
    expect(keys).toMatchObject({ public_key: fresh, previous_public_key: old });
    expect(keys.previous_public_key_expires_at).toBe(rotated.body.data.previous_secret_expires_at);
    // The delivery workers cache endpoint keys briefly: wait for a delivery signed with both.
    let req = (await deliverOne()).at['standard-webhooks-ed25519'];
    for (let i = 0; i < 20 && (req.headers['webhook-signature'] as string).split(' ').length < 2; i++) {
      req = (await deliverOne()).at['standard-webhooks-ed25519'];
    }
    expect(verifyV1a(fresh, req)).toEqual([true, false]);
    expect(verifyV1a(old, req)).toEqual([false, true]);
    expect(verifyDelivery(req.headers, req.rawBody, old).secretIndex).toBe(0);
    expect(verifyDelivery(req.headers, req.rawBody, [old, fresh]).event.id).toBeDefined();
  });
});
