/**
 * Records the dispatcher passed over (a backlog read again from the log, handled between its
 * live calls) are written behind their call, however few: the call ends once they are
 * matched, and a live call after it, with another tenant's events maybe, does not wait for
 * the backlog's statement. The call's offsets wait for that write instead (its `durable`).
 * Real broker, Postgres and HTTPS receiver; the write is held by a transaction that inserted
 * the same message and has not committed.
 */
import { Topics } from '@herald/contracts';
import { PublicHeaders, TenantsRepository } from '@herald/platform';
import type { KafkaMessage } from 'kafkajs';
import { DispatcherModule } from '../../apps/dispatcher/src/dispatcher.module';
import { DISPATCHER_BINDING } from '../../libs/webhooks/src/dispatcher/dispatcher';
import { WebhookDeliveryService } from '../../libs/webhooks/src/webhook-delivery.module';
import { startTestApp, TestApp } from '../support/app';
import { eventually, uniqueName } from '../support/infra';
import { createTestCa, TestCa } from '../support/tls';
import { startWebhookReceiver, WebhookReceiver } from '../support/webhook-receiver';
import { publicEvent, seedEndpoint, TestPublicEvent } from '../support/webhooks';

describe('dispatcher: records passed over are written behind their call', () => {
  let ca: TestCa;
  let t: TestApp;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    ca = createTestCa();
    receiver = await startWebhookReceiver({ ca });
    t = await startTestApp([DispatcherModule], {
      webhookAllowCidrs: ['127.0.0.1/32'],
      webhookCaFile: ca.certFile,
    });
  });

  afterAll(async () => {
    await t?.close();
    await receiver?.close();
    ca?.dispose();
  });

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
    const tenant = uniqueName('pow');
    await new TenantsRepository(t.ds).create(tenant);
    const ep = await seedEndpoint(t.ds, { tenant, url: `${receiver.url}/hooks/${uniqueName('ep')}` });
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
    expect(receiver.requests.filter((r) => r.body.includes(event.id))).toHaveLength(1);
  });
});
