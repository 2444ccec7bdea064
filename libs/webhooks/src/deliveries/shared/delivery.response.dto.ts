/**
 * A delivery of one event to one endpoint, with every attempt made (DESIGN.md §6–7).
 * Times are RFC 3339 UTC with six fractional digits.
 */
import type { DeliveryStatus } from '../../endpoints/endpoint';

export class WebhookAttemptResponseDto {
  /** Attempt number, from 1. */
  n!: number;

  /** The HTTP status the endpoint answered; null when no answer came (network or TLS error, timeout). */
  status_code!: number | null;

  latency_ms!: number;

  /** The first 2,000 characters of the response body. */
  response_body!: string | null;

  /** Why the attempt failed, when it did without (or besides) a status. */
  error!: string | null;

  /** The exact request headers sent, secrets redacted, so the signature can be checked. */
  request_headers!: Record<string, string>;

  /** When the attempt was made. */
  at!: string;
}

export class WebhookDeliveryResponseDto {
  /** `dlv_` + a ULID. */
  id!: string;

  /** The public event delivered (`evt_…`). */
  event_id!: string;

  event_type!: string;

  endpoint_id!: string;

  /** `pending`, `retrying`, `succeeded`, `dead` or `cancelled`. */
  status!: DeliveryStatus;

  attempt_count!: number;

  max_attempts!: number;

  /** When the next attempt is due; null when none is scheduled. */
  next_attempt_at!: string | null;

  created_at!: string;

  /** Every attempt so far, in order. */
  attempts!: WebhookAttemptResponseDto[];
}

/** The exact body a delivery sends. */
export class WebhookDeliveryPayloadResponseDto {
  /** `dlv_` + a ULID. */
  delivery_id!: string;

  /** The public event delivered (`evt_…`). */
  event_id!: string;

  event_type!: string;

  /** The request body (JSON text) exactly as sent: the bytes its signatures cover. */
  payload!: string;
}
