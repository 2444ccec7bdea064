/**
 * The chaos run's overlap checks catch what they are there to catch: attempts of one
 * delivery that overlapped, in the attempts log (real Postgres) and at the receiver (real
 * HTTPS requests), and pass attempts that followed one another.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TenantsRepository } from '@herald/platform';
import type { DataSource } from 'typeorm';
import { Agent, request } from 'undici';
import { DeliveryStore } from '../../libs/webhooks/src/delivery/delivery-store';
import { attemptOverlaps } from '../chaos/checks';
import { startReceiver, type ChaosReceiver } from '../chaos/receiver';
import { migratedDataSource, uniqueName } from '../support/infra';
import { createDeliveries, seedEndpoint } from '../support/webhooks';

describe('chaos overlap checks', () => {
  describe('in the attempts log', () => {
    let ds: DataSource;
    let tenant: string;
    let store: DeliveryStore;

    beforeAll(async () => {
      ds = await migratedDataSource();
      store = new DeliveryStore(ds);
      tenant = uniqueName('chaos');
      await new TenantsRepository(ds).create(tenant);
    });
    afterAll(async () => {
      await ds?.destroy();
    });

    /** One delivery with attempts starting at `starts` (ms after a base time), each taking `latencyMs`. */
    async function deliveryWithAttempts(starts: number[], latencyMs: number): Promise<string> {
      const ep = await seedEndpoint(ds, { tenant, url: `https://hooks.example.com/${uniqueName('ep')}` });
      const [d] = await createDeliveries(store, tenant, ep.id, 1);
      const base = Date.UTC(2026, 0, 1);
      for (const [i, start] of starts.entries()) {
        await ds.query(
          `INSERT INTO webhook_attempts (delivery_id, n, tenant, at, status_code, latency_ms, request_headers, max_attempts)
           VALUES ($1, $2, $3, $4, 500, $5, '{}'::jsonb, 3)`,
          [d!.id, i + 1, tenant, new Date(base + start), latencyMs],
        );
      }
      return d!.eventId;
    }

    it('counts an attempt that started before the previous one ended', async () => {
      const overlapping = await deliveryWithAttempts([0, 150], 200);
      expect(await attemptOverlaps(ds, [overlapping])).toEqual({ attempts: 2, overlapping: 1 });
    });

    it('passes attempts that followed one another', async () => {
      const sequential = await deliveryWithAttempts([0, 200, 1000], 200);
      expect(await attemptOverlaps(ds, [sequential])).toEqual({ attempts: 3, overlapping: 0 });
    });
  });

  describe('at the receiver', () => {
    let receiver: ChaosReceiver;
    let dir: string;
    let agent: Agent;

    beforeAll(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-chaos-receiver-'));
      receiver = await startReceiver({ dir, failureRates: {}, delayMs: () => 300 });
      agent = new Agent({ connect: { ca: fs.readFileSync(receiver.certFile, 'utf8') } });
    });
    afterAll(async () => {
      await agent?.close();
      await receiver?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    const send = async (deliveryId: string): Promise<number> => {
      const res = await request(`${receiver.url}/ep`, {
        method: 'POST',
        dispatcher: agent,
        headers: { 'mobieus-delivery-id': deliveryId, 'mobieus-event-id': `evt_${deliveryId}` },
        body: '{}',
      });
      await res.body.dump();
      return res.statusCode;
    };

    it('reports a request that arrived while the previous one for the delivery was unanswered', async () => {
      expect(await Promise.all([send('dlv_twice'), send('dlv_twice')])).toEqual([200, 200]);
      expect(receiver.overlaps().map((o) => o.deliveryId)).toEqual(['dlv_twice']);
    });

    it('passes requests for one delivery sent one after the other', async () => {
      await send('dlv_seq');
      await send('dlv_seq');
      expect(receiver.overlaps().filter((o) => o.deliveryId === 'dlv_seq')).toEqual([]);
      expect(receiver.log('/ep').deliveredTwice).toBe(2); // dlv_twice and dlv_seq both got a second 2xx
    });
  });
});
