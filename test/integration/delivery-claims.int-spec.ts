/**
 * Claiming due deliveries against real Postgres: each endpoint gets at most what its lane
 * has room for, a full lane's backlog does not stand in the way of another endpoint's
 * deliveries, what is leased elsewhere, not yet due or finished is never claimed, and a
 * claim's update is written in place.
 */
import { TenantsRepository } from '@herald/platform';
import type { DataSource } from 'typeorm';
import { DeliveryStore } from '../../libs/webhooks/src/delivery/delivery-store';
import { freshDatabase, migratedDataSource, uniqueName } from '../support/infra';
import { createDeliveries, seedEndpoint } from '../support/webhooks';

describe('claiming due deliveries', () => {
  let ds: DataSource;
  let store: DeliveryStore;
  let tenant: string;

  beforeAll(async () => {
    // A database of its own: a claim looks at every tenant's pending deliveries.
    ds = await migratedDataSource(await freshDatabase());
    store = new DeliveryStore(ds);
  });
  afterAll(async () => {
    await ds?.destroy();
  });

  beforeEach(async () => {
    await ds.query(`DELETE FROM webhook_deliveries`);
    tenant = uniqueName('claim');
    await new TenantsRepository(ds).create(tenant);
  });

  async function endpoint(): Promise<string> {
    return (await seedEndpoint(ds, { tenant, url: `https://hooks.example.com/${uniqueName('ep')}` })).id;
  }

  /** `n` unleased deliveries to `endpointId`, due `agoMs` ago (ascending by creation). */
  async function pending(endpointId: string, n: number, agoMs = 1000): Promise<string[]> {
    const events = (await createDeliveries(store, tenant, endpointId, n)).map((d) => d.eventId);
    await ds.query(
      `UPDATE webhook_deliveries SET next_attempt_at = now() - make_interval(secs => $2 / 1000.0)
        WHERE event_id = ANY($1::text[])`,
      [events, agoMs],
    );
    return events;
  }

  const byEndpoint = (jobs: Array<{ endpointId: string }>): Record<string, number> =>
    jobs.reduce<Record<string, number>>(
      (acc, j) => ({ ...acc, [j.endpointId]: (acc[j.endpointId] ?? 0) + 1 }),
      {},
    );

  it('passes over an endpoint whose lane is full, however large its backlog', async () => {
    const busy = await endpoint();
    const other = await endpoint();
    await pending(busy, 300, 5000);
    const otherEvents = await pending(other, 3, 1000);

    const jobs = await store.claimDue('w1', 100, new Map([[busy, 0]]), 10);
    expect(jobs.map((j) => j.eventId).sort()).toEqual([...otherEvents].sort());
    expect(jobs.every((j) => j.payload.startsWith('{"id":"evt_'))).toBe(true);
    const rows = await ds.query<Array<{ leased: number }>>(
      `SELECT count(*)::int AS leased FROM webhook_deliveries WHERE lease_owner = 'w1'`,
    );
    expect(rows[0]?.leased).toBe(3);
  });

  it('gives each endpoint at most its room, and stops at the total', async () => {
    const a = await endpoint();
    const b = await endpoint();
    const c = await endpoint();
    await pending(a, 20, 3000);
    await pending(b, 20, 2000);
    await pending(c, 20, 1000);

    const jobs = await store.claimDue('w1', 100, new Map([[a, 4]]), 6);
    expect(byEndpoint(jobs)).toEqual({ [a]: 4, [b]: 6, [c]: 6 });

    // Oldest due first when the total binds: a's and b's before c's.
    const capped = await store.claimDue('w2', 5, new Map(), 3);
    expect(byEndpoint(capped)).toEqual({ [a]: 3, [b]: 2 });
  });

  it('never claims what another worker holds, what is not due, or what is finished', async () => {
    const ep = await endpoint();
    const [held, future, done, free] = await pending(ep, 4, 1000);
    await ds.query(
      `UPDATE webhook_deliveries SET lease_owner = 'other', lease_until = now() + interval '1 minute' WHERE event_id = $1`,
      [held],
    );
    await ds.query(
      `UPDATE webhook_deliveries SET next_attempt_at = now() + interval '1 minute' WHERE event_id = $1`,
      [future],
    );
    await ds.query(
      `UPDATE webhook_deliveries SET status = 'succeeded', next_attempt_at = NULL WHERE event_id = $1`,
      [done],
    );

    const jobs = await store.claimDue('w1', 10, new Map(), 10);
    expect(jobs.map((j) => j.eventId)).toEqual([free]);

    // A lease that ran out is fair game again.
    await ds.query(
      `UPDATE webhook_deliveries SET lease_until = now() - interval '1 second' WHERE event_id = $1`,
      [held],
    );
    expect((await store.claimDue('w1', 10, new Map(), 10)).map((j) => j.eventId)).toEqual([held]);
  });

  it('writes a claim in place: a claimed delivery stays on its page, so no index gets an entry for it', async () => {
    const ep = await endpoint();
    // Due as written: an earlier update of its due time would have used the page's room already.
    const events = (await createDeliveries(store, tenant, ep, 300)).map((d) => d.eventId);
    const pages = async (): Promise<Map<string, string>> => {
      const rows = await ds.query<Array<{ event_id: string; page: string }>>(
        `SELECT event_id, split_part(trim(both '()' from ctid::text), ',', 1) AS page
           FROM webhook_deliveries WHERE event_id = ANY($1::text[])`,
        [events],
      );
      return new Map(rows.map((r) => [r.event_id, r.page]));
    };
    const before = await pages();

    const jobs = await store.claimDue('w1', 300, new Map([[ep, 300]]), 0);
    expect(jobs).toHaveLength(300);
    const after = await pages();
    const moved = events.filter((e) => after.get(e) !== before.get(e));
    // A full page (fill factor 100) moves about nine claimed rows in ten to another page.
    expect(moved.length).toBeLessThan(events.length / 20);
  });

  it('stores what it is given byte for byte, leased or not, and a second write of an event creates nothing', async () => {
    const endpointId = await endpoint();
    // Quotes, backslashes, escapes, non-ASCII and astral characters, as a published event may hold.
    const payload = (eventId: string): string =>
      JSON.stringify({ id: eventId, data: { title: 'a "quoted" \\ path\n\u0000 ünïcödé 🚀', n: 1 } });
    const ids = Array.from({ length: 3 }, (_, i) => ({
      id: `dlv_${i}${uniqueName('d')}`,
      eventId: `evt_${uniqueName('e')}${i}`,
    }));
    const write = () =>
      store.createDeliveries(
        'w1',
        ids.map(({ eventId }) => ({ tenant, eventId, eventType: 'post.created', payload: payload(eventId) })),
        ids.map(({ id, eventId }, i) => ({
          id,
          tenant,
          endpointId,
          eventId,
          eventType: 'post.created',
          maxAttempts: 4,
          leaseMs: i === 0 ? null : 60_000,
        })),
      );
    const created = await write();
    expect(created.size).toBe(3);
    expect(created.get(ids[0]!.id)).toBeNull();
    expect(created.get(ids[1]!.id)).toBeGreaterThan(Date.now());
    const rows = await ds.query<
      Array<{ event_id: string; payload: string; lease_owner: string | null; max_attempts: number }>
    >(
      `SELECT d.event_id, m.payload, d.lease_owner, d.max_attempts
         FROM webhook_deliveries d JOIN webhook_messages m USING (tenant, event_id)
        WHERE d.endpoint_id = $1 ORDER BY d.id`,
      [endpointId],
    );
    expect(rows).toEqual(
      ids.map(({ eventId }, i) => ({
        event_id: eventId,
        payload: payload(eventId),
        lease_owner: i === 0 ? null : 'w1',
        max_attempts: 4,
      })),
    );
    expect((await write()).size).toBe(0);
  });
});
