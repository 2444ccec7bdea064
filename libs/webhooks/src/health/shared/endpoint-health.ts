/** A row of endpointHealthSql as the API object. */
import { deliveryCounts, successRate } from './health-status';
import type { EndpointHealthRow } from './endpoint-health.sql';
import type { EndpointHealthResponseDto } from './health.response.dto';

export function endpointHealth(r: EndpointHealthRow): EndpointHealthResponseDto {
  const counts = deliveryCounts(r.counts ?? {});
  return {
    id: r.id,
    url: r.url,
    label: r.label,
    active: r.active,
    disabled_reason: r.disabled_reason,
    breaker: r.breaker_state,
    breaker_since: r.breaker_since,
    success_rate_24h: successRate(counts),
    deliveries_24h: counts,
    last_attempt_at: r.last_attempt_at,
    consecutive_failures: r.consecutive_dead,
    oldest_pending_age_seconds: r.oldest_pending_age === null ? null : Math.floor(r.oldest_pending_age),
  };
}
