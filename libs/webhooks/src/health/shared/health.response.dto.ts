/** The webhook health objects of the management API (docs/webhooks.md, "Health"). */
import { ApiProperty } from '@nestjs/swagger';
import type { BreakerState } from '../../delivery/delivery-store';
import type { HealthStatus } from './health-status';

export class DeliveryCountsResponseDto {
  /** Delivered: the latest attempt got a 2xx. */
  succeeded!: number;

  /** Failed at least once; a retry is scheduled (status `retrying`). */
  failed!: number;

  /** Every attempt failed; no retry is left. */
  dead!: number;

  /** Not attempted yet. */
  pending!: number;

  /** Never sent: the endpoint was disabled or deleted first. */
  cancelled!: number;
}

export class EndpointHealthResponseDto {
  /** `ep_` + a ULID. */
  id!: string;

  url!: string;

  label!: string | null;

  active!: boolean;

  /** Why the endpoint is disabled: `manual`, `gone` (it answered 410) or `consecutive_failures`; null while active. */
  disabled_reason!: string | null;

  /**
   * The endpoint's circuit breaker as the delivery workers last reported it: `closed` (sending),
   * `open` (a short outage: due attempts wait, none is used up) or `half_open` (one probe is out).
   */
  breaker!: BreakerState;

  /** When the breaker last changed state; null if it never has. */
  breaker_since!: string | null;

  /** Share (0–1) of the last 24 h's attempted deliveries whose latest attempt succeeded; null when none was attempted. */
  success_rate_24h!: number | null;

  /** Deliveries created in the last 24 h, by status. */
  deliveries_24h!: DeliveryCountsResponseDto;

  /** When the latest attempt of a delivery of the last 24 h was made; null when there was none. */
  last_attempt_at!: string | null;

  /** Dead deliveries in a row (reset by any success); the endpoint is disabled when it reaches the tenant's threshold. */
  consecutive_failures!: number;

  /** Seconds since its oldest delivery still pending or retrying was created; null when none is. */
  oldest_pending_age_seconds!: number | null;
}

export class WebhookHealthResponseDto {
  /** `green`, `amber` or `red`; the thresholds are in the description above. */
  // Explicit: left to the plugin, this enum's schema came out in a different key order on a second render.
  @ApiProperty({ type: 'string', enum: ['green', 'amber', 'red'] })
  status!: HealthStatus;

  /** Share (0–1) of the last 24 h's attempted deliveries whose latest attempt succeeded; null when none was attempted. */
  success_rate_24h!: number | null;

  /** Deliveries created in the last 24 h, by status. */
  deliveries_24h!: DeliveryCountsResponseDto;

  /** Seconds since the oldest delivery still pending or retrying was created; null when none is. */
  oldest_pending_age_seconds!: number | null;

  /** Endpoints Herald disabled: they answered 410 Gone, or reached the auto-disable threshold. */
  dead_endpoints!: number;

  /** Endpoints disabled for any reason, those disabled by hand included. */
  disabled_endpoints!: number;

  /** Every endpoint of the tenant with its own figures, in id order. */
  endpoints!: EndpointHealthResponseDto[];
}
