/**
 * The figures of a tenant's endpoints (or one of them) over the last 24 hours, in one
 * statement: the window's deliveries counted by endpoint and status through
 * `webhook_deliveries_tenant_created` (the time of each one's latest attempt read by
 * primary key), the oldest still pending per endpoint through the partial
 * `webhook_deliveries_tenant_pending`, and each endpoint's breaker as the delivery
 * workers last recorded it. $1 = the tenant, $2 (when `one`) = the endpoint.
 */
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

export function endpointHealthSql(one: boolean): string {
  const endpoint = (alias: string): string => (one ? `AND ${alias}.endpoint_id = $2` : '');
  return `WITH win AS (
      SELECT d.endpoint_id, d.status, count(*)::int AS n, max(a.at) AS last_at
        FROM webhook_deliveries d
        LEFT JOIN webhook_attempts a ON a.delivery_id = d.id AND a.n = d.attempt_count
       WHERE d.tenant = $1 AND d.created_at >= now() - interval '24 hours' ${endpoint('d')}
       GROUP BY d.endpoint_id, d.status
    ),
    per_endpoint AS (
      SELECT endpoint_id, json_object_agg(status, n) AS counts, max(last_at) AS last_at
        FROM win GROUP BY endpoint_id
    ),
    pend AS (
      SELECT p.endpoint_id, min(p.created_at) AS oldest
        FROM webhook_deliveries p
       WHERE p.tenant = $1 AND p.status IN ('pending', 'retrying') ${endpoint('p')}
       GROUP BY p.endpoint_id
    )
    SELECT e.id, e.url, e.label, e.active, e.disabled_reason, e.breaker_state,
           ${publicTime('e.breaker_changed_at')} AS breaker_since, e.consecutive_dead,
           w.counts, ${publicTime('w.last_at')} AS last_attempt_at,
           extract(epoch FROM now() - pend.oldest)::float8 AS oldest_pending_age
      FROM webhook_endpoints e
      LEFT JOIN per_endpoint w ON w.endpoint_id = e.id
      LEFT JOIN pend ON pend.endpoint_id = e.id
     WHERE e.tenant = $1 ${one ? 'AND e.id = $2' : ''}
     ORDER BY e.id`;
}
