/**
 * One batch of `herald replay deliveries`, in one statement in the tenant's scope: each
 * event's message is stored unless it is (the record value verbatim, as the dispatcher
 * stores it), a delivery due now is created where the event never had one for this
 * endpoint, and the deliveries that exist are replayed as a single-delivery replay does.
 * The delivery workers are woken as the transaction commits.
 */
import { newUlid } from '@herald/contracts';
import { withTenant } from '@herald/platform';
import type { DataSource } from 'typeorm';
import { DELIVERIES_WAKE_CHANNEL } from '../replay-delivery/replay-delivery.handler';
import { replayDeliveriesSql, runLengthSql } from '../shared/delivery-replay.sql';

export interface ReplayItem {
  eventId: string;
  eventType: string;
  /** The public topic's record value, byte for byte the body to send. */
  payload: string;
}

/** Returns how many deliveries it created; the other items had one, now replayed. */
export async function replayBatch(
  ds: DataSource,
  tenant: string,
  endpointId: string,
  items: readonly ReplayItem[],
  /** The deployment's retry schedule length, for tenants without their own. */
  deploymentLength: number,
): Promise<number> {
  if (items.length === 0) return 0;
  return withTenant(ds, tenant, async (em) => {
    const rows: Array<{ created: number }> = await em.query(
      `WITH msg AS (
         INSERT INTO webhook_messages (tenant, event_id, event_type, payload)
         SELECT $1::text, m.event_id, m.event_type, m.payload
           FROM unnest($3::text[], $4::text[], $5::text[]) AS m(event_id, event_type, payload)
         ON CONFLICT DO NOTHING
       ),
       created AS (
         INSERT INTO webhook_deliveries (id, tenant, endpoint_id, event_id, event_type, max_attempts, next_attempt_at)
         SELECT v.id, $1::text, $2::text, v.event_id, v.event_type,
                GREATEST(${runLengthSql('$1::text', '$7::int')}, 1), now()
           FROM unnest($6::text[], $3::text[], $4::text[]) AS v(id, event_id, event_type)
         ON CONFLICT (event_id, endpoint_id) DO NOTHING
         RETURNING 1
       ),
       replayed AS (
         ${replayDeliveriesSql('d.tenant = $1::text AND d.endpoint_id = $2::text AND d.event_id = ANY($3::text[])', '$7::int')}
       )
       SELECT (SELECT count(*) FROM created)::int AS created`,
      [
        tenant,
        endpointId,
        items.map((i) => i.eventId),
        items.map((i) => i.eventType),
        items.map((i) => i.payload),
        items.map(() => `dlv_${newUlid()}`),
        deploymentLength,
      ],
    );
    await em.query(`SELECT pg_notify($1, $2)`, [DELIVERIES_WAKE_CHANNEL, tenant]);
    return rows[0]?.created ?? 0;
  });
}
