/**
 * The dispatcher and the delivery workers against the real broker and Postgres, dialling
 * real HTTPS receivers on loopback that trust a throwaway CA: signed requests, retries on
 * the tenant's schedule, dead deliveries and auto-disable, 410, redirects, Retry-After,
 * the circuit breaker, rotation's dual signature, the SSRF guard at connect time, and a
 * hanging endpoint that must not hold up another.
 */
import { HeraldProducer, TenantsRepository } from '@herald/platform';
import { DispatcherModule } from '../../apps/dispatcher/src/dispatcher.module';
import { startTestApp, TestApp } from '../support/app';
import { eventually, testKafka, uniqueName } from '../support/infra';
import { createTestCa, TestCa } from '../support/tls';
import { startWebhookReceiver, verifyMobieusSignature, WebhookReceiver } from '../support/webhook-receiver';
import { publicEvent, publish, seedEndpoint, SeededEndpoint, setDeliverySettings } from '../support/webhooks';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface DeliveryRow {
  id: string;
  status: string;
  attempt_count: number;
  max_attempts: number;
  next_attempt_at: Date | null;
  lease_owner: string | null;
}

interface AttemptRow {
  n: number;
  at: Date;
  status_code: number | null;
  latency_ms: number;
  response_body: string | null;
  error: string | null;
  request_headers: Record<string, string>;
  max_attempts: number;
  next_attempt_at: Date | null;
}

describe('webhook delivery', () => {
  let ca: TestCa;
  let t: TestApp;
  let receiver: WebhookReceiver;
  let outside: WebhookReceiver;
  let producer: HeraldProducer;

  beforeAll(async () => {
    ca = createTestCa();
    receiver = await startWebhookReceiver({ ca });
    // 127.0.0.2 is loopback too, but not in the allowed CIDRs: the guard must refuse to dial it.
    outside = await startWebhookReceiver({ ca, host: '127.0.0.2' });
    t = await startTestApp([DispatcherModule], {
      webhookAllowCidrs: ['127.0.0.1/32'],
      webhookCaFile: ca.certFile,
      webhookDelivery: {
        endpointConcurrency: 4,
        backlogBusyPercent: 50,
        breakerResetMs: 1500,
        breakerVolumeThreshold: 3,
        breakerErrorPercent: 50,
        breakerWindowMs: 10_000,
        pollIntervalMs: 200,
      },
    });
    producer = new HeraldProducer(testKafka('webhooks-delivery'));
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await t?.close();
    await receiver?.close();
    await outside?.close();
    ca?.dispose();
  });

  beforeEach(() => {
    receiver.behave({ status: 204 });
    receiver.reset();
  });

  async function tenant(settings?: Parameters<typeof setDeliverySettings>[2]): Promise<string> {
    const slug = uniqueName('wh');
    await new TenantsRepository(t.ds).create(slug);
    if (settings) await setDeliverySettings(t.ds, slug, settings);
    return slug;
  }

  async function endpoint(slug: string, opts: Partial<Parameters<typeof seedEndpoint>[1]> = {}) {
    return seedEndpoint(t.ds, { tenant: slug, url: `${receiver.url}/hooks/${uniqueName('ep')}`, ...opts });
  }

  async function deliveriesOf(ep: SeededEndpoint): Promise<DeliveryRow[]> {
    return t.ds.query(
      `SELECT id, status, attempt_count, max_attempts, next_attempt_at, lease_owner
         FROM webhook_deliveries WHERE endpoint_id = $1 ORDER BY created_at, id`,
      [ep.id],
    );
  }

  async function attemptsOf(deliveryId: string): Promise<AttemptRow[]> {
    return t.ds.query(
      `SELECT n, at, status_code, latency_ms, response_body, error, request_headers, max_attempts, next_attempt_at
         FROM webhook_attempts WHERE delivery_id = $1 ORDER BY n`,
      [deliveryId],
    );
  }

  async function settled(ep: SeededEndpoint, count = 1): Promise<DeliveryRow[]> {
    return eventually(async () => {
      const rows = await deliveriesOf(ep);
      return rows.length >= count && rows.every((r) => ['succeeded', 'dead', 'cancelled'].includes(r.status))
        ? rows
        : undefined;
    }, 30_000);
  }

  const forEndpoint = (ep: SeededEndpoint) => receiver.requests.filter((r) => ep.url.endsWith(r.path));

  it('delivers a signed event once, with the headers of DESIGN §7, and records the attempt', async () => {
    const slug = await tenant();
    const ep = await endpoint(slug, { events: ['post.*'] });
    const event = publicEvent('post.created');
    await publish(producer, slug, [event]);

    const [delivery] = await settled(ep);
    expect(delivery).toMatchObject({ status: 'succeeded', attempt_count: 1, lease_owner: null });
    const [req] = forEndpoint(ep);
    expect(forEndpoint(ep)).toHaveLength(1);
    expect(req!.method).toBe('POST');
    expect(req!.body).toBe(JSON.stringify(event));
    expect(req!.headers['content-type']).toBe('application/json');
    expect(req!.headers['user-agent']).toBe('Mobieus-Webhook/1.0');
    expect(req!.headers['mobieus-event-id']).toBe(event.id);
    expect(req!.headers['mobieus-event-type']).toBe('post.created');
    expect(req!.headers['mobieus-delivery-id']).toBe(delivery!.id);
    const check = verifyMobieusSignature(ep.secret, req!.headers['mobieus-signature'], req!.rawBody);
    expect(check).toEqual({ valid: true, matched: 'v1' });
    expect(req!.headers['mobieus-signature']).not.toContain('v1_prev');

    const [attempt] = await attemptsOf(delivery!.id);
    expect(attempt).toMatchObject({
      n: 1,
      status_code: 204,
      error: null,
      max_attempts: 7,
      next_attempt_at: null,
    });
    expect(attempt!.latency_ms).toBeGreaterThanOrEqual(0);
    expect(attempt!.request_headers['Mobieus-Signature']).toBe(req!.headers['mobieus-signature']);
    expect(JSON.stringify(attempt!.request_headers)).not.toContain(ep.secret);
  });

  it('routes by type, wildcard and payload filter, and webhook.test only to its endpoint', async () => {
    const slug = await tenant();
    const exact = await endpoint(slug, { events: ['user.joined'] });
    const wildcard = await endpoint(slug, { events: ['post.*'] });
    const filtered = await endpoint(slug, { events: ['*'], filters: { 'data.title': 'wanted' } });
    const other = await tenant();
    const foreign = await endpoint(other, { events: ['*'] });
    const events = [
      publicEvent('post.created', { title: 'wanted' }),
      publicEvent('post.edited', { title: 'other' }),
      publicEvent('user.joined'),
      publicEvent('webhook.test', { endpoint_id: exact.id, message: 'ping' }),
    ];
    await publish(producer, slug, events);

    const types = async (ep: SeededEndpoint) =>
      (await settled(ep, 1)).length && (await deliveriesOf(ep)).map((d) => d.id);
    await eventually(async () => (await deliveriesOf(exact)).length === 2);
    await types(wildcard);
    await types(filtered);
    await sleep(500);
    const typesOf = async (ep: SeededEndpoint) =>
      (
        await t.ds.query(
          `SELECT event_type FROM webhook_deliveries WHERE endpoint_id = $1 ORDER BY event_type`,
          [ep.id],
        )
      ).map((r: { event_type: string }) => r.event_type);
    expect(await typesOf(exact)).toEqual(['user.joined', 'webhook.test']);
    expect(await typesOf(wildcard)).toEqual(['post.created', 'post.edited']);
    expect(await typesOf(filtered)).toEqual(['post.created']);
    expect(await typesOf(foreign)).toEqual([]);
  });

  it('retries on the tenant schedule with small jitter, then succeeds', async () => {
    const slug = await tenant({ retryScheduleMs: [0, 400, 800, 800] });
    const ep = await endpoint(slug);
    receiver.behave((req, i) =>
      forEndpoint(ep).length <= 2 ? { status: 500, body: `nope ${i}` } : { status: 200 },
    );
    await publish(producer, slug, [publicEvent('post.created')]);

    const [delivery] = await settled(ep);
    expect(delivery).toMatchObject({ status: 'succeeded', attempt_count: 3, max_attempts: 4 });
    const attempts = await attemptsOf(delivery!.id);
    expect(attempts.map((a) => a.status_code)).toEqual([500, 500, 200]);
    expect(attempts[0]!.response_body).toMatch(/^nope /);
    const seen = forEndpoint(ep).map((r) => Number(r.receivedAtHr / 1_000_000n));
    expect(seen[1]! - seen[0]!).toBeGreaterThanOrEqual(400 * 0.9 - 20);
    expect(seen[1]! - seen[0]!).toBeLessThan(400 * 1.1 + 600);
    expect(seen[2]! - seen[1]!).toBeGreaterThanOrEqual(800 * 0.9 - 20);
    expect(attempts[0]!.next_attempt_at).not.toBeNull();
    // One attempt at a time: a delivery is never in flight twice.
    expect(new Set(forEndpoint(ep).map((r) => r.headers['mobieus-delivery-id'])).size).toBe(1);
  });

  it('marks a delivery dead after its last attempt and disables the endpoint after N dead in a row', async () => {
    const slug = await tenant({ retryScheduleMs: [0, 100], autoDisableThreshold: 2 });
    const ep = await endpoint(slug);
    receiver.behave({ status: 500 });
    await publish(producer, slug, [publicEvent('post.created')]);
    const [first] = await settled(ep);
    expect(first).toMatchObject({ status: 'dead', attempt_count: 2, next_attempt_at: null });
    const [row] = await t.ds.query(`SELECT active, consecutive_dead FROM webhook_endpoints WHERE id = $1`, [
      ep.id,
    ]);
    expect(row).toEqual({ active: true, consecutive_dead: 1 });

    await publish(producer, slug, [publicEvent('post.created')]);
    await settled(ep, 2);
    const [after] = await eventually(async () => {
      const rows = await t.ds.query(
        `SELECT active, disabled_reason, consecutive_dead FROM webhook_endpoints WHERE id = $1`,
        [ep.id],
      );
      return rows[0].active === false ? rows : undefined;
    });
    expect(after).toEqual({ active: false, disabled_reason: 'consecutive_failures', consecutive_dead: 2 });
    const audit = await t.ds.query(`SELECT actor, action, details FROM audit_log WHERE target_id = $1`, [
      ep.id,
    ]);
    expect(audit).toEqual([
      {
        actor: 'system',
        action: 'webhook_endpoint.auto_disabled',
        details: { reason: 'consecutive_failures', consecutive_dead: 2 },
      },
    ]);

    // Disabled: a later event makes no delivery.
    receiver.reset();
    await publish(producer, slug, [publicEvent('post.created')]);
    await sleep(1000);
    expect(await deliveriesOf(ep)).toHaveLength(2);
    expect(forEndpoint(ep)).toHaveLength(0);
  });

  it('a success resets the run of dead deliveries', async () => {
    const slug = await tenant({ retryScheduleMs: [0], autoDisableThreshold: 2 });
    const ep = await endpoint(slug);
    receiver.behave({ status: 500 });
    await publish(producer, slug, [publicEvent('post.created')]);
    await settled(ep, 1);
    receiver.behave({ status: 200 });
    await publish(producer, slug, [publicEvent('post.created')]);
    await settled(ep, 2);
    receiver.behave({ status: 500 });
    await publish(producer, slug, [publicEvent('post.created')]);
    await settled(ep, 3);
    const [row] = await t.ds.query(`SELECT active, consecutive_dead FROM webhook_endpoints WHERE id = $1`, [
      ep.id,
    ]);
    expect(row).toEqual({ active: true, consecutive_dead: 1 });
  });

  it('410 Gone disables the endpoint at once and its other deliveries are cancelled', async () => {
    const slug = await tenant({ retryScheduleMs: [0, 100, 100] });
    const ep = await endpoint(slug);
    receiver.behave({ status: 410 });
    await publish(producer, slug, [publicEvent('post.created')]);
    const [delivery] = await settled(ep);
    expect(delivery).toMatchObject({ status: 'dead', attempt_count: 1 });
    const [row] = await t.ds.query(`SELECT active, disabled_reason FROM webhook_endpoints WHERE id = $1`, [
      ep.id,
    ]);
    expect(row).toEqual({ active: false, disabled_reason: 'gone' });
    const [audit] = await t.ds.query(`SELECT action, details FROM audit_log WHERE target_id = $1`, [ep.id]);
    expect(audit).toMatchObject({ action: 'webhook_endpoint.auto_disabled', details: { reason: 'gone' } });
  });

  it('never follows a redirect: a 3xx fails the attempt', async () => {
    const slug = await tenant({ retryScheduleMs: [0] });
    const ep = await endpoint(slug);
    receiver.behave({ status: 302, headers: { location: `${receiver.url}/elsewhere` } });
    await publish(producer, slug, [publicEvent('post.created')]);
    const [delivery] = await settled(ep);
    expect(delivery!.status).toBe('dead');
    const [attempt] = await attemptsOf(delivery!.id);
    expect(attempt).toMatchObject({ status_code: 302 });
    expect(attempt!.error).toContain('redirect not followed');
    expect(receiver.requests.filter((r) => r.path === '/elsewhere')).toHaveLength(0);
  });

  it('honours Retry-After on 429 and 503 beyond the schedule', async () => {
    const slug = await tenant({ retryScheduleMs: [0, 100, 100] });
    const ep = await endpoint(slug);
    receiver.behave(() =>
      forEndpoint(ep).length === 1 ? { status: 503, headers: { 'retry-after': '2' } } : { status: 200 },
    );
    await publish(producer, slug, [publicEvent('post.created')]);
    const [delivery] = await settled(ep);
    expect(delivery).toMatchObject({ status: 'succeeded', attempt_count: 2 });
    const [a, b] = forEndpoint(ep);
    expect(Number((b!.receivedAtHr - a!.receivedAtHr) / 1_000_000n)).toBeGreaterThanOrEqual(1900);
  });

  it('refuses at connect time an address outside the allowed ranges, whatever was registered', async () => {
    const slug = await tenant({ retryScheduleMs: [0] });
    const ep = await endpoint(slug, { url: `${outside.url}/hook` });
    await publish(producer, slug, [publicEvent('post.created')]);
    const [delivery] = await settled(ep);
    const [attempt] = await attemptsOf(delivery!.id);
    expect(attempt!.status_code).toBeNull();
    expect(attempt!.error).toMatch(/^ssrf: /);
    expect(outside.requests).toHaveLength(0);
    expect(outside.connections).toBe(0);
  });

  it('signs with both secrets during a rotation grace window and with the new one alone after it', async () => {
    const slug = await tenant();
    const oldSecret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    const ep = await endpoint(slug, {
      previousSecret: { secret: oldSecret, expiresAt: new Date(Date.now() + 60_000) },
    });
    await publish(producer, slug, [publicEvent('post.created')]);
    await settled(ep);
    const [during] = forEndpoint(ep);
    expect(during!.headers['mobieus-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64},v1_prev=[0-9a-f]{64}$/);
    expect(
      verifyMobieusSignature(ep.secret, during!.headers['mobieus-signature'], during!.rawBody).valid,
    ).toBe(true);
    expect(verifyMobieusSignature(oldSecret, during!.headers['mobieus-signature'], during!.rawBody)).toEqual({
      valid: true,
      matched: 'v1_prev',
    });

    await t.ds.query(
      `UPDATE webhook_endpoints SET previous_secret_expires_at = now() - interval '1 second' WHERE id = $1`,
      [ep.id],
    );
    receiver.reset();
    await publish(producer, slug, [publicEvent('post.created')]);
    await settled(ep, 2);
    const [after] = forEndpoint(ep);
    expect(after!.headers['mobieus-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifyMobieusSignature(oldSecret, after!.headers['mobieus-signature'], after!.rawBody).valid).toBe(
      false,
    );
  });

  it('opens the breaker on repeated failures, defers without using attempts, probes once half-open, then closes', async () => {
    const slug = await tenant({ retryScheduleMs: [0, 100, 100, 100, 100, 100, 100, 100, 100, 100] });
    const ep = await endpoint(slug);
    let failing = true;
    receiver.behave(() => (failing ? { status: 500 } : { status: 200 }));
    // Three failures trip it (volume 3, 50 %); afterwards nothing is sent while it is open:
    // neither their retries nor the deliveries of events that arrive meanwhile.
    await publish(
      producer,
      slug,
      Array.from({ length: 3 }, () => publicEvent('post.created')),
    );
    await eventually(async () => forEndpoint(ep).length >= 3);
    await publish(
      producer,
      slug,
      Array.from({ length: 3 }, () => publicEvent('post.created')),
    );
    await eventually(async () => (await deliveriesOf(ep)).length === 6);
    await sleep(600);
    const sentWhileOpen = forEndpoint(ep).length;
    const rows = await deliveriesOf(ep);
    expect(rows).toHaveLength(6);
    const burnt = rows.reduce((sum, r) => sum + r.attempt_count, 0);
    expect(burnt).toBe(sentWhileOpen);
    expect(rows.some((r) => r.attempt_count === 0 && r.status === 'pending')).toBe(true);
    await sleep(400);
    expect(forEndpoint(ep).length).toBe(sentWhileOpen);

    // Half-open after the reset time: exactly one probe; it fails, the breaker opens again.
    await eventually(async () => forEndpoint(ep).length === sentWhileOpen + 1, 5000, 20);
    await sleep(300);
    expect(forEndpoint(ep).length).toBe(sentWhileOpen + 1);

    // The receiver recovers: the next probe succeeds, the breaker closes and everything goes out.
    failing = false;
    const done = await settled(ep, 6);
    expect(done.every((d) => d.status === 'succeeded')).toBe(true);
  });

  it('a hanging endpoint does not delay deliveries to another endpoint', async () => {
    const slug = await tenant({ retryScheduleMs: [0], attemptTimeoutMs: 3000 });
    const hanging = await endpoint(slug, { events: ['post.*'] });
    const healthy = await endpoint(slug, { events: ['post.*'] });
    receiver.behave((req) => (hanging.url.endsWith(req.path) ? { hang: true } : { status: 200 }));
    const events = Array.from({ length: 20 }, () => publicEvent('post.created'));
    const publishedAt = Date.now();
    await publish(producer, slug, events);
    await settled(healthy, 20);
    const healthyDone = Date.now() - publishedAt;
    expect(healthyDone).toBeLessThan(2500);
    // The hanging endpoint's attempts time out; its breaker then holds the rest back.
    const timedOut = await eventually(async () => {
      const rows: AttemptRow[] = await t.ds.query(
        `SELECT a.* FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id WHERE d.endpoint_id = $1`,
        [hanging.id],
      );
      return rows.length > 0 ? rows : undefined;
    });
    expect(timedOut[0]!.error).toMatch(/^timeout/);
    expect(timedOut[0]!.latency_ms).toBeGreaterThanOrEqual(2900);
    expect(timedOut[0]!.status_code).toBeNull();
  }, 60_000);
});
