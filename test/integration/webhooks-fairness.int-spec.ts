/**
 * Fairness between tenants, against the real broker and Postgres: one tenant's backlog to an
 * endpoint that answers (just not instantly) shares the public topic's partitions with
 * another tenant's events, and must not hold them up. The dispatcher records the backlog's
 * deliveries and reads on; the busy endpoint's lane works through them from the table while
 * the other tenant's new event goes straight out.
 */
import { HeraldProducer, TenantsRepository } from '@herald/platform';
import { DispatcherModule } from '../../apps/dispatcher/src/dispatcher.module';
import { startTestApp, TestApp } from '../support/app';
import { eventually, testKafka, uniqueName } from '../support/infra';
import { createTestCa, TestCa } from '../support/tls';
import { startWebhookReceiver, WebhookReceiver } from '../support/webhook-receiver';
import { publicEvent, publish, seedEndpoint, SeededEndpoint } from '../support/webhooks';

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
});
