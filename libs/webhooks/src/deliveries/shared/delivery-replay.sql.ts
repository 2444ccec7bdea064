/**
 * How a replay resets an existing delivery, shared by the single-delivery replay (API and
 * `herald deliveries replay`) and `herald replay deliveries`, so both send again alike:
 *
 * - a finished delivery (succeeded, dead, cancelled) is due again at once, with a fresh
 *   run of attempts: the length of the tenant's retry schedule (else the deployment's),
 *   on top of those made;
 * - a pending or retrying one is brought forward to now, unless a worker holds it (its
 *   attempt is under way, and it schedules the next one itself): that row is left alone.
 */
import type { DeliveryStatus } from '../../endpoints/endpoint';

export const FINISHED_STATUSES: readonly DeliveryStatus[] = ['succeeded', 'dead', 'cancelled'];

const FINISHED = `d.status IN (${FINISHED_STATUSES.map((s) => `'${s}'`).join(', ')})`;

/**
 * The length of tenant `tenant`'s own retry schedule, else `deploymentLength` (both SQL
 * expressions): how many attempts a fresh run has.
 */
export function runLengthSql(tenant: string, deploymentLength: string): string {
  return `COALESCE(NULLIF((SELECT cardinality(s.retry_schedule_ms) FROM tenant_settings s WHERE s.tenant = ${tenant}), 0),
                   ${deploymentLength})`;
}

/**
 * An UPDATE of the deliveries `d` that `where` selects (an SQL condition on `d`), replayed
 * by the rules above; `deploymentLength` is the SQL of the deployment's schedule length.
 * Returns `d.id` of each row it changed.
 */
export function replayDeliveriesSql(where: string, deploymentLength: string): string {
  return `UPDATE webhook_deliveries d
             SET status = CASE WHEN ${FINISHED} THEN 'pending' ELSE d.status END,
                 next_attempt_at = now(),
                 lease_owner = CASE WHEN ${FINISHED} THEN NULL ELSE d.lease_owner END,
                 lease_until = CASE WHEN ${FINISHED} THEN NULL ELSE d.lease_until END,
                 max_attempts = CASE WHEN ${FINISHED}
                                     THEN d.attempt_count + ${runLengthSql('d.tenant', deploymentLength)}
                                     ELSE d.max_attempts END,
                 updated_at = now()
           WHERE (${where})
             AND (${FINISHED} OR NOT COALESCE(d.lease_until > now(), false))
       RETURNING d.id`;
}
