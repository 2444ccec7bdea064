/**
 * Fairness between tenants, against the real broker and Postgres: one tenant's backlog to an
 * endpoint that answers (just not instantly) shares the public topic's partitions with
 * another tenant's events, and must not hold them up. The dispatcher records the backlog's
 * deliveries and reads on; the busy endpoint's lane works through them from the table while
 * the other tenant's new event goes straight out. Records the dispatcher passed over (a
 * backlog read again from the log, between its live calls) are written behind their call,
 * however few, so the next live call does not wait for their statement; the call's offsets
 * wait for it instead (its `durable`).
 */
import { Topics } from '@herald/contracts';
import { HeraldProducer, PublicHeaders, TenantsRepository } from '@herald/platform';
import type { KafkaMessage } from 'kafkajs';
import { DispatcherModule } from '../../apps/dispatcher/src/dispatcher.module';
import { DISPATCHER_BINDING } from '../../libs/webhooks/src/dispatcher/dispatcher';
import { WebhookDeliveryService } from '../../libs/webhooks/src/webhook-delivery.module';
import { startTestApp, TestApp } from '../support/app';
import { eventually, testKafka, uniqueName } from '../support/infra';
import { createTestCa, TestCa } from '../support/tls';
import { startWebhookReceiver, WebhookReceiver } from '../support/webhook-receiver';
import { publicEvent, publish, seedEndpoint, SeededEndpoint, TestPublicEvent } from '../support/webhooks';

/** The busy tenant's backlog: far more than its endpoint's lane may hold. */
const BACKLOG = 5000;
/** Deliveries to the busy endpoint before its backlog. */
const WARM = 50;

describe('webhook delivery fairness between tenants', () => {
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
      webhookDelivery: {
        endpointConcurrency: 4,
        backlogBusyPercent: 50,
        breakerResetMs: 1500,
        breakerVolumeThreshold: 1000,
        breakerErrorPercent: 50,
        breakerWindowMs: 10_000,
        pollIntervalMs: 200,
      },
    });
    producer = new HeraldProducer(testKafka('webhooks-fairness'));
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await t?.close();
    await receiver?.close();
    ca?.dispose();
  });

  async function tenantWithEndpoint(): Promise<SeededEndpoint> {
    const slug = uniqueName('fair');
    await new TenantsRepository(t.ds).create(slug);
    return seedEndpoint(t.ds, {
      tenant: slug,
      url: `${receiver.url}/hooks/${uniqueName('ep')}`,
      events: ['post.*'],
    });
  }

  async function succeeded(ep: SeededEndpoint): Promise<number> {
    const [row] = await t.ds.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM webhook_deliveries WHERE endpoint_id = $1 AND status = 'succeeded'`,
      [ep.id],
    );
    return row!.n;
  }

  const to = (ep: SeededEndpoint) => receiver.requests.filter((r) => ep.url.endsWith(r.path));

  it("delivers another tenant's new event while one tenant's backlog is still mostly undelivered", async () => {
    const busy = await tenantWithEndpoint();
    const quiet = await tenantWithEndpoint();
    // The busy endpoint is healthy, merely not instant: a few milliseconds per request.
    receiver.behave((req) => (busy.url.endsWith(req.path) ? { status: 204, delayMs: 5 } : { status: 204 }));

    // Warm: its lane has answers to judge its pace by, as after any stretch of steady traffic.
    await publish(
      producer,
      busy.tenant,
      Array.from({ length: WARM }, () => publicEvent('post.created')),
    );
    await eventually(async () => (await succeeded(busy)) === WARM, 60_000, 50);
    receiver.reset();

    // The whole backlog reaches the dispatcher in one read, as a backlog does once it has piled
    // up: the dispatcher is held on one event of the busy tenant (the endpoint versions its
    // statements read are locked) while the backlog is published, then let go.
    const lock = t.ds.createQueryRunner();
    await lock.connect();
    await lock.startTransaction();
    await lock.query(`LOCK TABLE webhook_endpoint_versions IN ACCESS EXCLUSIVE MODE`);
    await publish(producer, busy.tenant, [publicEvent('post.created')]);
    await eventually(
      async () => {
        const [row] = await t.ds.query<Array<{ n: number }>>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE wait_event_type = 'Lock' AND query LIKE '%webhook_endpoint_versions%'`,
        );
        return row!.n > 0;
      },
      30_000,
      20,
    );
    const backlog = Array.from({ length: BACKLOG }, () => publicEvent('post.created'));
    await publish(producer, busy.tenant, backlog);
    await lock.commitTransaction();
    await lock.release();
    // The dispatcher has taken the backlog up: its endpoint is being delivered to.
    await receiver.waitForRequests(2);
    // The quiet tenant's event lies behind the backlog in the topic's partitions.
    const event = publicEvent('post.created');
    await publish(producer, quiet.tenant, [event]);

    await eventually(async () => (await succeeded(quiet)) === 1, 60_000, 20);
    const arrival = receiver.requests.findIndex((r) => quiet.url.endsWith(r.path));
    expect(receiver.requests[arrival]!.headers['mobieus-event-id']).toBe(event.id);
    const backlogBefore = receiver.requests.slice(0, arrival).filter((r) => busy.url.endsWith(r.path)).length;
    // Sent before most of the backlog (three quarters of it still to go), not after it.
    expect(backlogBefore).toBeLessThan(BACKLOG / 4);

    // The backlog itself drains: every delivery made, each once.
    await eventually(async () => (await succeeded(busy)) === WARM + 1 + BACKLOG, 150_000, 250);
    const sent = to(busy).map((r) => r.headers['mobieus-event-id']);
    expect(new Set(sent).size).toBe(1 + BACKLOG);
    expect(sent).toHaveLength(1 + BACKLOG);
    expect(to(quiet)).toHaveLength(1);
  }, 240_000);

  /** A public record as the dispatcher's consumer hands it over (decoded, with its position). */
  function record(tenant: string, event: TestPublicEvent, offset: number) {
    const message = {
      key: Buffer.from(`${tenant}:${event.id}`),
      value: Buffer.from(JSON.stringify(event)),
      headers: { [PublicHeaders.tenant]: Buffer.from(tenant) },
      offset: String(offset),
      timestamp: String(Date.now()),
      attributes: 0,
    } as KafkaMessage;
    return {
      value: DISPATCHER_BINDING.decode(message, Topics.publicEvents),
      topic: Topics.publicEvents,
      partition: 0,
      offset: message.offset,
      key: message.key!.toString(),
      timestamp: message.timestamp,
      headers: message.headers,
    };
  }

  it('ends a call of records passed over before its write, and counts it durable once written', async () => {
    const ep = await tenantWithEndpoint();
    const tenant = ep.tenant;
    const event = publicEvent('post.created');
    const { dispatcher } = t.app.get(WebhookDeliveryService);

    // The same message, inserted and not committed: the dispatcher's statement waits for it.
    const holder = t.ds.createQueryRunner();
    await holder.connect();
    try {
      await holder.startTransaction();
      await holder.query(
        `INSERT INTO webhook_messages (tenant, event_id, event_type, payload) VALUES ($1, $2, $3, $4)`,
        [tenant, event.id, event.type, JSON.stringify(event)],
      );
      const [holding] = (await holder.query(`SELECT pg_backend_pid() AS pid`)) as Array<{ pid: number }>;
      const pid = holding!.pid;
      // The write blocked on the holder: a fact, polled, not a pause.
      const writeBlocked = eventually(async () => {
        const rows = await t.ds.query<unknown[]>(
          `SELECT 1 FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))`,
          [pid],
        );
        return rows.length > 0 ? true : undefined;
      }, 20_000);

      const call = dispatcher.dispatch([record(tenant, event, 1)], { passedOver: true });
      const first = await Promise.race([
        call.then(() => 'returned' as const),
        writeBlocked.then(() => 'blocked first' as const),
      ]);
      expect(first).toBe('returned');
      const result = await call;
      expect(result?.durable).toBeInstanceOf(Promise);
      let durable = false;
      void result!.durable!.then(() => (durable = true));

      await writeBlocked;
      expect(durable).toBe(false);
      const written = await t.ds.query<Array<{ n: number }>>(
        `SELECT count(*)::int AS n FROM webhook_deliveries WHERE event_id = $1`,
        [event.id],
      );
      expect(written[0]?.n).toBe(0);

      await holder.rollbackTransaction();
      await result!.durable;
      const rows = await t.ds.query<Array<{ endpoint_id: string }>>(
        `SELECT endpoint_id FROM webhook_deliveries WHERE event_id = $1`,
        [event.id],
      );
      expect(rows.map((r) => r.endpoint_id)).toEqual([ep.id]);
    } finally {
      if (holder.isTransactionActive) await holder.rollbackTransaction();
      await holder.release();
    }
    // And it goes out, once.
    const status = await eventually(async () => {
      const [row] = await t.ds.query<Array<{ status: string }>>(
        `SELECT status FROM webhook_deliveries WHERE event_id = $1`,
        [event.id],
      );
      return row?.status === 'succeeded' ? row.status : undefined;
    }, 30_000);
    expect(status).toBe('succeeded');
    expect(to(ep).filter((r) => r.body.includes(event.id))).toHaveLength(1);
  });
});
