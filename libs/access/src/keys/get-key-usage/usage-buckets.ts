/**
 * The usage log's hourly rows of one key turned into the 24 buckets of the answer: every
 * hour present, zero-filled, oldest first. Rows outside the window (a gateway's clock
 * ahead of this one's) are left out, so the totals are the sums of the buckets shown.
 */
import { USAGE_HOURS } from '../shared/api-key.item';
import type { KeyUsageHourDto } from './key-usage.response.dto';

const HOUR_MS = 3_600_000;

export interface UsageHourRow {
  /** Start of the hour, milliseconds since the epoch. */
  hour: number;
  requests: number;
  errors: number;
}

export function hourlyBuckets(
  windowStart: number,
  rows: readonly UsageHourRow[],
): { buckets: KeyUsageHourDto[]; totals: { requests: number; errors: number } } {
  const counts = new Map<number, { requests: number; errors: number }>();
  for (const r of rows) {
    const c = counts.get(r.hour) ?? { requests: 0, errors: 0 };
    c.requests += r.requests;
    c.errors += r.errors;
    counts.set(r.hour, c);
  }
  const buckets: KeyUsageHourDto[] = [];
  const totals = { requests: 0, errors: 0 };
  for (let i = 0; i < USAGE_HOURS; i++) {
    const hour = windowStart + i * HOUR_MS;
    const c = counts.get(hour) ?? { requests: 0, errors: 0 };
    buckets.push({ hour: publicHour(hour), requests: c.requests, errors: c.errors });
    totals.requests += c.requests;
    totals.errors += c.errors;
  }
  return { buckets, totals };
}

/** RFC 3339 UTC with six fractional digits, as every public time. */
function publicHour(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, -1)}000Z`;
}
