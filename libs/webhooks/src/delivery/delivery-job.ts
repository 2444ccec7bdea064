/** A delivery held by this process, and what became of one attempt at it. */
import type { DeliveryStatus } from '../endpoints/endpoint';

export interface DeliveryJob {
  id: string;
  tenant: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  /** Attempts made before this one. */
  attemptCount: number;
  maxAttempts: number;
  /** The exact body to send. */
  payload: string;
  /** Until when this process holds the delivery (database clock, as epoch ms). */
  leaseUntil: number;
}

export interface AttemptRecord {
  n: number;
  at: Date;
  statusCode: number | null;
  latencyMs: number;
  responseBody: string | null;
  error: string | null;
  requestHeaders: Record<string, string>;
}

/**
 * - `attempted`: an attempt was made; the delivery moves to `status` (`succeeded`,
 *   `retrying` with `nextAttemptAt`, or `dead`).
 * - `deferred`: no attempt was made (breaker open); due again at `nextAttemptAt`.
 * - `cancelled`: the endpoint is gone or disabled; nothing was sent.
 * - `released`: handed back unattempted for another claim (this process is overloaded or stopping).
 */
export type DeliveryOutcome =
  | {
      kind: 'attempted';
      job: DeliveryJob;
      attempt: AttemptRecord;
      status: Extract<DeliveryStatus, 'succeeded' | 'retrying' | 'dead'>;
      nextAttemptAt: Date | null;
      /** The endpoint answered 410 Gone: disable it. */
      gone: boolean;
    }
  | { kind: 'deferred'; job: DeliveryJob; nextAttemptAt: Date }
  | { kind: 'cancelled'; job: DeliveryJob }
  | { kind: 'released'; job: DeliveryJob };
