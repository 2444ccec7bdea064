/** An `api_keys` row, with its last 24 h of usage, as the public object (see ApiKeyResponseDto). */
import { isScope } from '@herald/contracts';
import type { KeyMode } from '../api-key-secret';
import type { ApiKeyResponseDto } from './api-key.response.dto';

const HOUR_MS = 3_600_000;
export const USAGE_HOURS = 24;

export interface ApiKeyItemRow {
  id: string;
  label: string | null;
  prefix: string;
  mode: KeyMode;
  scopes: string[];
  rate_limit_per_minute: number | null;
  daily_quota: number | null;
  expires_at: string | null;
  revoked_at: string | null;
  created_at: string;
  last_used_at: string | null;
  /** bigint sums arrive as text. */
  usage_requests: string;
  usage_errors: string;
}

/** RFC 3339 UTC with exactly six fractional digits, as every public time. */
export const publicTime = (column: string): string =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * The first hour of the usage window: the current UTC hour and the 23 before it. Taken from
 * the gateway's clock, as the usage recorder's hours are.
 */
export function usageWindowStart(now: number): number {
  return now - (now % HOUR_MS) - (USAGE_HOURS - 1) * HOUR_MS;
}

/** The public columns of `api_keys k` joined by `apiKeysWithUsage`, times formatted by Postgres. */
export const API_KEY_COLUMNS = `k.id, k.label, k.prefix, k.mode, k.scopes, k.rate_limit_per_minute, k.daily_quota,
   ${publicTime('k.expires_at')} AS expires_at, ${publicTime('k.revoked_at')} AS revoked_at,
   ${publicTime('k.created_at')} AS created_at, ${publicTime('k.last_used_at')} AS last_used_at,
   u.requests AS usage_requests, u.errors AS usage_errors`;

/** `api_keys k` with `u`, its usage since the hour in parameter `windowParam` (`$2`). */
export const apiKeysWithUsage = (windowParam: string): string =>
  `api_keys k
   CROSS JOIN LATERAL (
     SELECT coalesce(sum(x.requests), 0)::text AS requests, coalesce(sum(x.errors), 0)::text AS errors
     FROM api_key_usage x
     WHERE x.key_id = k.id AND x.tenant = k.tenant AND x.hour >= ${windowParam}) u`;

export function apiKeyItem(r: ApiKeyItemRow): ApiKeyResponseDto {
  return {
    id: r.id,
    label: r.label,
    prefix: r.prefix,
    mode: r.mode,
    scopes: r.scopes.filter(isScope),
    rate_limit_per_minute: r.rate_limit_per_minute,
    daily_quota: r.daily_quota,
    expires_at: r.expires_at,
    revoked_at: r.revoked_at,
    created_at: r.created_at,
    last_used_at: r.last_used_at,
    usage_24h: { requests: Number(r.usage_requests), errors: Number(r.usage_errors) },
  };
}
