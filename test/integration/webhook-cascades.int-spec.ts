/**
 * What deleting an endpoint, a tenant or a delivery takes with it, against real Postgres:
 * the delivery tables have no foreign keys on their hot paths, and the database's delete
 * triggers do what the keys' cascades did.
 */
import { TenantsRepository, withTenant } from '@herald/platform';
import type { DataSource } from 'typeorm';
import { DeliveryStore } from '../../libs/webhooks/src/delivery/delivery-store';
import { freshDatabase, migratedDataSource, uniqueName } from '../support/infra';
import { createDeliveries, seedEndpoint } from '../support/webhooks';

describe('webhook delivery rows go with what they belong to', () => {
  let ds: DataSource;
  let store: DeliveryStore;

  beforeAll(async () => {
    ds = await migratedDataSource(await freshDatabase());
    store = new DeliveryStore(ds);
  });
  afterAll(async () => {
    await ds?.destroy();
  });

  async function tenantWithEndpoint(): Promise<{ tenant: string; endpointId: string }> {
    const tenant = uniqueName('cascade');
    await new TenantsRepository(ds).create(tenant);
    const { id } = await seedEndpoint(ds, { tenant, url: `https://hooks.example.com/${uniqueName('ep')}` });
    return { tenant, endpointId: id };
  }

  /** `n` deliveries of new events to the endpoint, each with one recorded attempt. */
  async function deliveries(tenant: string, endpointId: string, n: number): Promise<string[]> {
    const ids = (await createDeliveries(store, tenant, endpointId, n)).map((d) => d.id);
    await ds.query(
      `INSERT INTO webhook_attempts (delivery_id, n, tenant, at, status_code, latency_ms, request_headers, max_attempts)
       SELECT id, 1, $2, now(), 503, 12, '{}'::jsonb, 3 FROM unnest($1::text[]) AS id`,
      [ids, tenant],
    );
    return ids;
  }

  const counts = async (ids: string[]): Promise<{ deliveries: number; attempts: number }> => {
    const [row] = await ds.query(
      `SELECT (SELECT count(*)::int FROM webhook_deliveries WHERE id = ANY($1::text[])) AS deliveries,
              (SELECT count(*)::int FROM webhook_attempts WHERE delivery_id = ANY($1::text[])) AS attempts`,
      [ids],
    );
    return row;
  };

  it('deleting an endpoint through the API role deletes its deliveries and their attempts, no others', async () => {
    const { tenant, endpointId } = await tenantWithEndpoint();
    const { id: otherEndpoint } = await seedEndpoint(ds, { tenant, url: 'https://hooks.example.com/other' });
    const gone = await deliveries(tenant, endpointId, 3);
    const kept = await deliveries(tenant, otherEndpoint, 2);

    await withTenant(ds, tenant, (em) =>
      em.query(`DELETE FROM webhook_endpoints WHERE tenant = $1 AND id = $2`, [tenant, endpointId]),
    );

    expect(await counts(gone)).toEqual({ deliveries: 0, attempts: 0 });
    expect(await counts(kept)).toEqual({ deliveries: 2, attempts: 2 });
  });

  it("deleting a tenant deletes its endpoints, messages, deliveries and attempts, and nobody else's", async () => {
    const a = await tenantWithEndpoint();
    const b = await tenantWithEndpoint();
    const gone = await deliveries(a.tenant, a.endpointId, 4);
    const kept = await deliveries(b.tenant, b.endpointId, 1);

    await ds.query(`DELETE FROM tenants WHERE slug = $1`, [a.tenant]);

    expect(await counts(gone)).toEqual({ deliveries: 0, attempts: 0 });
    const [messages] = await ds.query(`SELECT count(*)::int AS n FROM webhook_messages WHERE tenant = $1`, [
      a.tenant,
    ]);
    expect(messages.n).toBe(0);
    expect(await counts(kept)).toEqual({ deliveries: 1, attempts: 1 });
  });

  it('deleting a message deletes its deliveries; deleting a delivery deletes its attempts', async () => {
    const { tenant, endpointId } = await tenantWithEndpoint();
    const [first, second, third] = await deliveries(tenant, endpointId, 3);
    const [{ event_id: eventOfFirst }] = await ds.query(
      `SELECT event_id FROM webhook_deliveries WHERE id = $1`,
      [first],
    );

    await ds.query(`DELETE FROM webhook_messages WHERE tenant = $1 AND event_id = $2`, [
      tenant,
      eventOfFirst,
    ]);
    await ds.query(`DELETE FROM webhook_deliveries WHERE id = $1`, [second]);

    expect(await counts([first!, second!])).toEqual({ deliveries: 0, attempts: 0 });
    expect(await counts([third!])).toEqual({ deliveries: 1, attempts: 1 });
  });
});
