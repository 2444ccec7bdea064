/**
 * A `webhook_deliveries` row with its attempts as the public object. The attempts are
 * gathered by Postgres into the row (one statement for a whole page, never a query per
 * delivery), already shaped and ordered.
 */
import type { DeliveryStatus } from '../../endpoints/endpoint';
import { publicTime } from '../../endpoints/shared/public-time';
import type { WebhookAttemptResponseDto, WebhookDeliveryResponseDto } from './delivery.response.dto';

export interface DeliveryItemRow {
  id: string;
  event_id: string;
  event_type: string;
  endpoint_id: string;
  status: DeliveryStatus;
  attempt_count: number;
  max_attempts: number;
  next_attempt_at: string | null;
  created_at: string;
  attempts: WebhookAttemptResponseDto[];
}

/** The select list of a delivery `d` ($1 = the tenant). */
export const deliveryColumns = (d: string): string =>
  `${d}.id, ${d}.event_id, ${d}.event_type, ${d}.endpoint_id, ${d}.status, ${d}.attempt_count, ${d}.max_attempts,
   ${publicTime(`${d}.next_attempt_at`)} AS next_attempt_at, ${publicTime(`${d}.created_at`)} AS created_at,
   COALESCE((
     SELECT json_agg(json_build_object(
              'n', a.n, 'status_code', a.status_code, 'latency_ms', a.latency_ms,
              'response_body', a.response_body, 'error', a.error, 'request_headers', a.request_headers,
              'at', ${publicTime('a.at')}) ORDER BY a.n)
       FROM webhook_attempts a
      WHERE a.delivery_id = ${d}.id AND a.tenant = $1), '[]'::json) AS attempts`;

export function deliveryItem(r: DeliveryItemRow): WebhookDeliveryResponseDto {
  return {
    id: r.id,
    event_id: r.event_id,
    event_type: r.event_type,
    endpoint_id: r.endpoint_id,
    status: r.status,
    attempt_count: r.attempt_count,
    max_attempts: r.max_attempts,
    next_attempt_at: r.next_attempt_at,
    created_at: r.created_at,
    attempts: r.attempts,
  };
}
