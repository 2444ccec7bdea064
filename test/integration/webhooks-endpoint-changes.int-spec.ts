/**
 * The dispatcher keeps each tenant's endpoints in memory (SubscriberCache) and checks their
 * version in the statement that writes deliveries: an endpoint created, disabled or given
 * other event types or filters before an event is appended is matched as it is then, even
 * though the tenant's endpoints were cached by an earlier call. Real broker, Postgres and
 * HTTPS receiver; each case first warms the cache with a delivered event.
 */
import { Topics } from '@herald/contracts';
import { HeraldProducer, TenantsRepository } from '@herald/platform';
import { DispatcherModule } from '../../apps/dispatcher/src/dispatcher.module';
import { DISPATCHER_GROUP } from '../../libs/webhooks/src/dispatcher/dispatcher';
import { SubscriberCache } from '../../libs/webhooks/src/dispatcher/subscriber-cache';
import { WebhookDeliveryService } from '../../libs/webhooks/src/webhook-delivery.module';
import { startTestApp, TestApp } from '../support/app';
import { eventually, testKafka, uniqueName } from '../support/infra';
import { createTestCa, TestCa } from '../support/tls';
import { startWebhookReceiver, WebhookReceiver } from '../support/webhook-receiver';
import { publicEvent, publish, seedEndpoint, SeededEndpoint } from '../support/webhooks';

describe('dispatcher: endpoints changed after they were cached', () => {
  let ca: TestCa;
  let t: TestApp;
  let receiver: WebhookReceiver;
  let producer: HeraldProducer;

  beforeAll(async () => {
    ca = createTestCa();
    receiver = await startWebhookReceiver({ ca });
    t = await startTestApp([DispatcherModule], {
      webhookAllowCidrs: ['127.0.0.1/32'],
      webhookCaFile: ca.certFile,
    });
    producer = new HeraldProducer(testKafka('webhooks-endpoint-changes'));
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await t?.close();
    await receiver?.close();
    ca?.dispose();
  });

  async function tenant(): Promise<string> {
    const slug = uniqueName('epc');
    await new TenantsRepository(t.ds).create(slug);
    return slug;
  }

  async function endpoint(slug: string, opts: Partial<Parameters<typeof seedEndpoint>[1]> = {}) {
    return seedEndpoint(t.ds, { tenant: slug, url: `${receiver.url}/hooks/${uniqueName('ep')}`, ...opts });
  }

  /** The endpoints that got a delivery of `eventId`, once every delivery of it succeeded and `expected` did. */
  async function deliveredTo(eventId: string, expected: SeededEndpoint[]): Promise<string[]> {
    return eventually(async () => {
      const rows = await t.ds.query<Array<{ endpoint_id: string; status: string }>>(
        `SELECT endpoint_id, status FROM webhook_deliveries WHERE event_id = $1 ORDER BY endpoint_id`,
        [eventId],
      );
      const done = rows.every((r) => r.status === 'succeeded');
      const all = expected.every((ep) => rows.some((r) => r.endpoint_id === ep.id));
      return done && all ? rows.map((r) => r.endpoint_id) : undefined;
    }, 30_000);
  }

  /** Publishes one event of `type` for the tenant and returns its id. */
  async function send(slug: string, type = 'post.created', data?: Record<string, unknown>): Promise<string> {
    const event = publicEvent(type, data);
    await publish(producer, slug, [event]);
    return event.id;
  }

  /** Resolves once the dispatcher's group has committed every record published so far. */
  async function dispatchedSoFar(): Promise<void> {
    const admin = testKafka('webhooks-endpoint-changes-admin').admin();
    await admin.connect();
    try {
      const ends = await admin.fetchTopicOffsets(Topics.publicEvents);
      await eventually(async () => {
        const [committed] = await admin.fetchOffsets({
          groupId: DISPATCHER_GROUP,
          topics: [Topics.publicEvents],
        });
        const done = ends.every((end) => {
          const c = committed?.partitions.find((p) => p.partition === end.partition);
          return end.high === end.low || (c !== undefined && BigInt(c.offset) >= BigInt(end.high));
        });
        return done ? true : undefined;
      }, 30_000);
    } finally {
      await admin.disconnect();
    }
  }

  async function version(slug: string): Promise<string> {
    const rows = await t.ds.query<Array<{ version: string }>>(
      `SELECT version::text FROM webhook_endpoint_versions WHERE tenant = $1`,
      [slug],
    );
    return rows[0]?.version ?? '0';
  }

  it('delivers to an endpoint created after the tenant was cached', async () => {
    const slug = await tenant();
    const first = await endpoint(slug);
    expect(await deliveredTo(await send(slug), [first])).toEqual([first.id]);

    const second = await endpoint(slug);
    const next = await send(slug);
    expect(await deliveredTo(next, [first, second])).toEqual([first.id, second.id].sort());
    // And again from the refreshed cache.
    expect(await deliveredTo(await send(slug), [first, second])).toEqual([first.id, second.id].sort());
  });

  it('delivers to the first endpoint of a tenant cached without any', async () => {
    const { stats } = t.app.get(WebhookDeliveryService).dispatcher;
    const slug = await tenant();
    const before = await send(slug);
    // Dispatched (the tenant cached as having no endpoint) before the endpoint exists.
    await dispatchedSoFar();
    const ep = await endpoint(slug);
    const rematched = stats.rematched;
    expect(await deliveredTo(await send(slug), [ep])).toEqual([ep.id]);
    expect(stats.rematched).toBeGreaterThan(rematched);
    expect(await t.ds.query(`SELECT id FROM webhook_deliveries WHERE event_id = $1`, [before])).toEqual([]);
  });

  it('writes a burst behind its call for the endpoints as they are then, not as cached', async () => {
    const { stats } = t.app.get(WebhookDeliveryService).dispatcher;
    const slug = await tenant();
    const disabled = await endpoint(slug);
    expect(await deliveredTo(await send(slug), [disabled])).toEqual([disabled.id]);

    const created = await endpoint(slug);
    await t.ds.query(`UPDATE webhook_endpoints SET active = false WHERE id = $1`, [disabled.id]);
    const rematched = stats.rematched;
    // More than a call writes before it ends for one endpoint: written behind it, with the
    // check of the cached endpoints, and nothing written at once.
    const events = Array.from({ length: 150 }, () => publicEvent('post.created'));
    await publish(producer, slug, events);
    const ids = events.map((e) => e.id);
    const rows = await eventually(async () => {
      const got = await t.ds.query<Array<{ endpoint_id: string; status: string }>>(
        `SELECT endpoint_id, status FROM webhook_deliveries WHERE event_id = ANY($1::text[])`,
        [ids],
      );
      return got.length >= ids.length && got.every((r) => r.status === 'succeeded') ? got : undefined;
    }, 30_000);
    await dispatchedSoFar();
    const again = await t.ds.query<Array<{ endpoint_id: string }>>(
      `SELECT endpoint_id FROM webhook_deliveries WHERE event_id = ANY($1::text[])`,
      [ids],
    );
    expect(again).toHaveLength(ids.length);
    expect(new Set(rows.map((r) => r.endpoint_id))).toEqual(new Set([created.id]));
    expect(stats.rematched).toBeGreaterThan(rematched);
  });

  it('stops delivering to an endpoint disabled after the tenant was cached', async () => {
    const slug = await tenant();
    const kept = await endpoint(slug);
    const disabled = await endpoint(slug);
    expect(await deliveredTo(await send(slug), [kept, disabled])).toHaveLength(2);

    await t.ds.query(`UPDATE webhook_endpoints SET active = false WHERE id = $1`, [disabled.id]);
    // One statement writes an event's deliveries, so once `kept` has its delivery the other
    // one would be there too.
    expect(await deliveredTo(await send(slug), [kept])).toEqual([kept.id]);
  });

  it('matches event types and filters as they are when the event is appended', async () => {
    const slug = await tenant();
    const watcher = await endpoint(slug);
    const ep = await endpoint(slug, { events: ['post.*'] });
    expect(await deliveredTo(await send(slug, 'post.created'), [watcher, ep])).toHaveLength(2);

    await t.ds.query(`UPDATE webhook_endpoints SET events = ARRAY['user.*'] WHERE id = $1`, [ep.id]);
    expect(await deliveredTo(await send(slug, 'post.created'), [watcher])).toEqual([watcher.id]);
    expect(await deliveredTo(await send(slug, 'user.joined'), [watcher, ep])).toHaveLength(2);

    await t.ds.query(
      `UPDATE webhook_endpoints SET events = ARRAY['post.*'], filters = '{"data.forum_slug": "news"}'::jsonb
        WHERE id = $1`,
      [ep.id],
    );
    expect(await deliveredTo(await send(slug, 'post.created'), [watcher])).toEqual([watcher.id]);
    expect(
      await deliveredTo(await send(slug, 'post.created', { forum_slug: 'news' }), [watcher, ep]),
    ).toHaveLength(2);
  });

  it('moves the version on what changes matching only', async () => {
    const slug = await tenant();
    expect(await version(slug)).toBe('0');
    const ep = await endpoint(slug);
    const created = await version(slug);
    expect(created).not.toBe('0');

    await t.ds.query(
      `UPDATE webhook_endpoints
          SET breaker_state = 'open', breaker_changed_at = now(), consecutive_dead = 3, url = url || '?x=1'
        WHERE id = $1`,
      [ep.id],
    );
    expect(await version(slug)).toBe(created);

    const seen = new Set([created]);
    for (const change of [
      `active = false`,
      `active = true`,
      `events = ARRAY['post.*']`,
      `filters = '{"data.x": 1}'::jsonb`,
      `created_at = created_at - interval '1 day'`,
    ]) {
      await t.ds.query(`UPDATE webhook_endpoints SET ${change} WHERE id = $1`, [ep.id]);
      const v = await version(slug);
      expect(seen.has(v)).toBe(false);
      seen.add(v);
    }
    await t.ds.query(`DELETE FROM webhook_endpoints WHERE id = $1`, [ep.id]);
    expect(seen.has(await version(slug))).toBe(false);
  });

  it('keeps the tenants used most recently, each with the endpoints and version read together', async () => {
    const [a, b, c] = [await tenant(), await tenant(), await tenant()];
    const ep = await endpoint(a);
    const cache = new SubscriberCache(t.ds, 2);
    const first = await cache.forTenants([a, b]);
    expect(first.get(a)).toMatchObject({ fresh: true, version: Number(await version(a)) });
    expect(first.get(a)!.subscribers.map((s) => s.id)).toEqual([ep.id]);
    expect(first.get(b)).toEqual({ fresh: true, version: 0, subscribers: [] });
    // a is used again, so c pushes b out.
    expect((await cache.forTenants([a])).get(a)!.fresh).toBe(false);
    await cache.forTenants([c]);
    expect(cache.size).toBe(2);
    const again = await cache.forTenants([a, b, c]);
    expect([again.get(a)!.fresh, again.get(b)!.fresh, again.get(c)!.fresh]).toEqual([false, true, false]);
    cache.forget([a]);
    expect((await cache.forTenants([a])).get(a)!.fresh).toBe(true);
  });
});
