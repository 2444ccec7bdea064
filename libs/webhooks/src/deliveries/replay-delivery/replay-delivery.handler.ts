/**
 * Replays one delivery, for the API (`POST /api/v1/webhooks/deliveries/{id}/replay`)
 * and operators (`herald deliveries replay <id>`), in one tenant transaction:
 *
 * - a finished delivery (succeeded, dead, cancelled) is due again at once, with a fresh
 *   run of attempts: the length of the tenant's retry schedule, on top of those made;
 * - a pending or retrying one is brought forward to now, unless a worker holds it (its
 *   attempt is under way, and it schedules the next one itself).
 *
 * The reset itself is shared with `herald replay deliveries` (../shared/delivery-replay.sql.ts).
 *
 * The workers are woken through `herald_deliveries` as the transaction commits. A
 * delivery of a disabled endpoint is refused: it would only be cancelled again.
 */
import { withTenant } from '@herald/platform';
import type { DataSource, EntityManager } from 'typeorm';
import { DELIVERY_NOT_FOUND, ENDPOINT_DISABLED } from '../../webhook-errors';
import { deliveryColumns, DeliveryItemRow, deliveryItem } from '../shared/delivery.item';
import { replayDeliveriesSql } from '../shared/delivery-replay.sql';
import type { WebhookDeliveryResponseDto } from '../shared/delivery.response.dto';

/** The channel the delivery workers LISTEN on; the payload is the tenant. */
export const DELIVERIES_WAKE_CHANNEL = 'herald_deliveries';

interface ReplayRow {
  active: boolean;
}

export class ReplayDeliveryHandler {
  constructor(
    private readonly ds: DataSource,
    /** The deployment's retry schedule (HERALD_RETRY_SCHEDULE), for tenants without their own. */
    private readonly defaultSchedule: readonly number[],
  ) {}

  async execute(tenant: string, deliveryId: string): Promise<WebhookDeliveryResponseDto> {
    return withTenant(this.ds, tenant, async (em) => {
      const rows: ReplayRow[] = await em.query(
        `SELECT e.active
           FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
          WHERE d.tenant = $1 AND d.id = $2
            FOR UPDATE OF d`,
        [tenant, deliveryId],
      );
      const row = rows[0];
      // Another tenant's delivery is as absent as one that never existed.
      if (!row) throw DELIVERY_NOT_FOUND.error(`no delivery ${deliveryId}`);
      if (!row.active) {
        throw ENDPOINT_DISABLED.error(`the endpoint of delivery ${deliveryId} is disabled; enable it first`);
      }
      await em.query(replayDeliveriesSql('d.tenant = $1 AND d.id = $2', '$3::int'), [
        tenant,
        deliveryId,
        this.defaultSchedule.length,
      ]);
      await em.query(`SELECT pg_notify($1, $2)`, [DELIVERIES_WAKE_CHANNEL, tenant]);
      return deliveryItem(await readDelivery(em, tenant, deliveryId));
    });
  }

  /**
   * For operators, who run as the schema owner and know only the delivery id: finds its
   * tenant, then replays it exactly as the API does, in that tenant's scope.
   */
  async executeForOperator(
    deliveryId: string,
  ): Promise<{ tenant: string; delivery: WebhookDeliveryResponseDto }> {
    const rows: Array<{ tenant: string }> = await this.ds.query(
      `SELECT tenant FROM webhook_deliveries WHERE id = $1`,
      [deliveryId],
    );
    const tenant = rows[0]?.tenant;
    if (tenant === undefined) throw DELIVERY_NOT_FOUND.error(`no delivery ${deliveryId}`);
    return { tenant, delivery: await this.execute(tenant, deliveryId) };
  }
}

async function readDelivery(em: EntityManager, tenant: string, id: string): Promise<DeliveryItemRow> {
  const rows: DeliveryItemRow[] = await em.query(
    `SELECT ${deliveryColumns('d')} FROM webhook_deliveries d WHERE d.tenant = $1 AND d.id = $2`,
    [tenant, id],
  );
  if (!rows[0]) throw DELIVERY_NOT_FOUND.error(`no delivery ${id}`);
  return rows[0];
}
