/**
 * The colour of a tenant's webhook health (docs/webhooks.md, "Health"), from the figures
 * of the last 24 hours:
 *
 * - red: an endpoint was disabled by Herald (410 Gone, or too many dead deliveries in a
 *   row), or under 90 % of deliveries succeeded, or a delivery has been pending for over
 *   an hour;
 * - green: at least 99 % succeeded (or there was nothing to deliver), nothing has been
 *   pending for 5 minutes or more, and no breaker is open;
 * - amber: anything in between.
 */
export type HealthStatus = 'green' | 'amber' | 'red';

export const GREEN_SUCCESS_RATE = 0.99;
export const RED_SUCCESS_RATE = 0.9;
export const GREEN_OLDEST_PENDING_S = 5 * 60;
export const RED_OLDEST_PENDING_S = 60 * 60;

export interface HealthFigures {
  /** 0–1; null when no delivery of the window has been attempted. */
  successRate: number | null;
  oldestPendingAgeSeconds: number | null;
  /** Endpoints Herald disabled (410 Gone, consecutive dead deliveries). */
  autoDisabledEndpoints: number;
  /** Endpoints whose circuit breaker is open or half-open. */
  trippedBreakers: number;
}

export function healthStatus(f: HealthFigures): HealthStatus {
  const age = f.oldestPendingAgeSeconds ?? 0;
  if (
    f.autoDisabledEndpoints > 0 ||
    (f.successRate !== null && f.successRate < RED_SUCCESS_RATE) ||
    age > RED_OLDEST_PENDING_S
  ) {
    return 'red';
  }
  if (
    (f.successRate === null || f.successRate >= GREEN_SUCCESS_RATE) &&
    age < GREEN_OLDEST_PENDING_S &&
    f.trippedBreakers === 0
  ) {
    return 'green';
  }
  return 'amber';
}

/** Deliveries of the window by status. */
export interface DeliveryCounts {
  succeeded: number;
  /** Failed at least once; a retry is scheduled (`retrying`). */
  failed: number;
  dead: number;
  /** Not attempted yet (`pending`). */
  pending: number;
  cancelled: number;
}

export const NO_DELIVERIES: DeliveryCounts = { succeeded: 0, failed: 0, dead: 0, pending: 0, cancelled: 0 };

/**
 * The share of the window's attempted deliveries whose latest attempt succeeded:
 * succeeded / (succeeded + retrying + dead), to four decimals; null when there is none.
 */
export function successRate(c: DeliveryCounts): number | null {
  const attempted = c.succeeded + c.failed + c.dead;
  return attempted === 0 ? null : Math.round((c.succeeded / attempted) * 10_000) / 10_000;
}

/** `{status: n}` as Postgres aggregated it → the counts the API shows. */
export function deliveryCounts(byStatus: Readonly<Record<string, number>>): DeliveryCounts {
  return {
    succeeded: byStatus.succeeded ?? 0,
    failed: byStatus.retrying ?? 0,
    dead: byStatus.dead ?? 0,
    pending: byStatus.pending ?? 0,
    cancelled: byStatus.cancelled ?? 0,
  };
}

export function addCounts(a: DeliveryCounts, b: DeliveryCounts): DeliveryCounts {
  return {
    succeeded: a.succeeded + b.succeeded,
    failed: a.failed + b.failed,
    dead: a.dead + b.dead,
    pending: a.pending + b.pending,
    cancelled: a.cancelled + b.cancelled,
  };
}
