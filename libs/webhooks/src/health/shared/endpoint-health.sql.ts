/**
 * The figures of a tenant's endpoints (or one of them), in one statement, per endpoint
 * through indexes that serve the delivery log already, none added to the hot delivery
 * table:
 *
 * - the deliveries of the last 24 hours by status, a range of `(tenant, endpoint_id, id)`
 *   (`webhook_deliveries_endpoint`): a delivery id is `dlv_` + a ULID minted at creation,
 *   so ids from WINDOW_START on are the deliveries created since; each one's latest
 *   attempt is read by primary key for the time of the last attempt;
 * - the oldest delivery still pending or retrying, through the partial due index
 *   (`webhook_deliveries_due_by_endpoint`), whose rows are exactly those;
 * - the breaker as the delivery workers last recorded it.
 *
 * $1 = the tenant, $2 = the lowest delivery id of the window, $3 (when `one`) = the endpoint.
 */
import { newUlid } from '@herald/contracts';
import type { DisabledReason } from '../../endpoints/endpoint';
import { publicTime } from '../../endpoints/shared/public-time';
import type { BreakerState } from '../../delivery/delivery-store';

export interface EndpointHealthRow {
  id: string;
  url: string;
  label: string | null;
  active: boolean;
  disabled_reason: DisabledReason | null;
  breaker_state: BreakerState;
  breaker_since: string | null;
  consecutive_dead: number;
  counts: Record<string, number> | null;
  last_attempt_at: string | null;
  oldest_pending_age: number | null;
}

/** The lowest delivery id minted at or after `since` (`dlv_` + the ULID time part + zeros). */
export function firstDeliveryIdSince(since: Date): string {
  return `dlv_${newUlid(since.getTime()).slice(0, 10)}${'0'.repeat(16)}`;
}

export const WINDOW_MS = 24 * 3_600_000;

export function endpointHealthSql(one: boolean): string {
  return `SELECT e.id, e.url, e.label, e.active, e.disabled_reason, e.breaker_state,
           ${publicTime('e.breaker_changed_at')} AS breaker_since, e.consecutive_dead,
           w.counts, ${publicTime('w.last_at')} AS last_attempt_at,
           extract(epoch FROM now() - pend.oldest)::float8 AS oldest_pending_age
      FROM webhook_endpoints e
      LEFT JOIN LATERAL (
        SELECT json_object_agg(s.status, s.n) AS counts, max(s.last_at) AS last_at
          FROM (SELECT d.status, count(*)::int AS n,
                       -- A subquery, not a join: one primary-key lookup per delivery, never a scan of all attempts.
                       max((SELECT a.at FROM webhook_attempts a
                             WHERE a.delivery_id = d.id AND a.n = d.attempt_count)) AS last_at
                  FROM webhook_deliveries d
                 WHERE d.tenant = $1 AND d.endpoint_id = e.id AND d.id >= $2
                 GROUP BY d.status) s
      ) w ON true
      LEFT JOIN LATERAL (
        SELECT min(p.created_at) AS oldest
          FROM webhook_deliveries p
         WHERE p.endpoint_id = e.id AND p.status IN ('pending', 'retrying') AND p.tenant = $1
      ) pend ON true
     WHERE e.tenant = $1 ${one ? 'AND e.id = $3' : ''}
     ORDER BY e.id`;
}
