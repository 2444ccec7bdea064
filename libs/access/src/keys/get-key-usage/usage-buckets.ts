/**
 * The usage log's hourly rows of one key turned into the 24 buckets of the answer: every
 * hour present, zero-filled, oldest first. Rows outside the window (a gateway's clock
 * ahead of this one's) are left out, so the totals are the sums of the buckets shown.
 */
import { readAsTenant } from '@herald/platform';
import type { DataSource } from 'typeorm';
import { USAGE_HOURS, usageWindowStart } from '../shared/api-key.item';
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

/** Where a credential and its usage log live: API keys or OAuth clients. */
export interface UsageSource {
  /** The credentials' table (with tenant, id and last_used_at). */
  table: 'api_keys' | 'oauth_clients';
  /** Its hourly usage log, and the log's column naming the credential. */
  log: 'api_key_usage' | 'oauth_client_usage';
  logId: 'key_id' | 'client_id';
}

export interface CredentialUsage {
  id: string;
  buckets: KeyUsageHourDto[];
  totals: { requests: number; errors: number };
  last_seen_at: string | null;
}

/**
 * One credential's requests and errors per UTC hour over the last 24 hours, in one scoped
 * read; undefined when the tenant has no such credential (another tenant's included: row-level
 * security hides it).
 */
export async function readCredentialUsage(
  ds: DataSource,
  source: UsageSource,
  tenant: string,
  id: string,
  now: number,
): Promise<CredentialUsage | undefined> {
  const windowStart = usageWindowStart(now);
  const [row] = await readAsTenant<{ id: string; last_seen_at: string | null; hours: UsageHourRow[] }>(
    ds,
    tenant,
    `SELECT c.id,
            to_char(c.last_used_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS last_seen_at,
            coalesce((SELECT json_agg(json_build_object(
                               'hour', (extract(epoch FROM x.hour) * 1000)::bigint,
                               'requests', x.requests, 'errors', x.errors))
                      FROM ${source.log} x
                      WHERE x.${source.logId} = c.id AND x.tenant = c.tenant AND x.hour >= $2), '[]') AS hours
     FROM ${source.table} c WHERE c.tenant = $1 AND c.id = $3`,
    [tenant, new Date(windowStart), id],
    { prepare: true },
  );
  return row && { id: row.id, ...hourlyBuckets(windowStart, row.hours), last_seen_at: row.last_seen_at };
}

/** RFC 3339 UTC with six fractional digits, as every public time. */
function publicHour(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, -1)}000Z`;
}
