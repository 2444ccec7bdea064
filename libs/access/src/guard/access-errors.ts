/** The access errors of the public API (DESIGN.md §6): stable codes, and one 401 for every key problem. */
import type { Scope } from '@herald/contracts';
import { ApiCaller, DomainError, INVALID_TOKEN } from '@herald/platform';
import type { RateDecision } from '../rate-limit/rate-limit';

export const INVALID_API_KEY_MESSAGE =
  'a valid API key for this tenant is required: send Authorization: Bearer <key>';

export function tenantNotFound(): DomainError {
  return new DomainError('tenant_not_found', 'no tenant is served at this host', 404);
}

/** Missing, malformed, unknown, revoked, expired or foreign: the caller learns none of that. */
export function invalidApiKey(): DomainError {
  return new DomainError('invalid_api_key', INVALID_API_KEY_MESSAGE, 401);
}

/** What authenticated a request, as messages name it. */
export type Credential = 'key' | 'token' | 'session';

const CREDENTIAL_NAMES: Record<Credential, string> = {
  key: 'API key',
  token: 'access token',
  session: 'admin session',
};

/** The credential of an admitted caller, from its actor (`key:…`, `client:…`, `admin:…`). */
export function credentialOf(caller: ApiCaller): Credential {
  if (caller.actor.startsWith('client:')) return 'token';
  if (caller.actor.startsWith('admin:')) return 'session';
  return 'key';
}

/** `this API key`, `this access token` or `this admin session`. */
export function thisCredential(credential: Credential): string {
  return `this ${CREDENTIAL_NAMES[credential]}`;
}

export function insufficientScope(
  required: readonly Scope[],
  missing: readonly Scope[],
  credential: Credential,
): DomainError {
  return new DomainError(
    'insufficient_scope',
    `${thisCredential(credential)} lacks the scope${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
    403,
    { required_scopes: required, missing_scopes: missing },
  );
}

export function rateLimited(retryAfterSeconds: number, credential: Credential): DomainError {
  return new DomainError(
    'rate_limited',
    `rate limit exceeded for ${thisCredential(credential)}; retry in ${retryAfterSeconds} s`,
    429,
    { retry_after_seconds: retryAfterSeconds },
  );
}

/** The daily quota, not the per-minute limit: no use retrying before the next UTC day. */
export function quotaExceeded(limit: number, resetAt: number, retryAfterSeconds: number): DomainError {
  const at = new Date(resetAt).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return new DomainError(
    'quota_exceeded',
    `the daily quota of ${limit} requests is used up; it resets at ${at}`,
    429,
    { daily_quota: limit, reset_at: at, retry_after_seconds: retryAfterSeconds },
  );
}

/** The 429 for a refused rate decision: `quota_exceeded` for the day, `rate_limited` for the minute. */
export function tooManyRequests(rate: RateDecision, credential: Credential): DomainError {
  return rate.refusedBy === 'day'
    ? quotaExceeded(rate.limit, rate.resetAt, rate.retryAfterSeconds)
    : rateLimited(rate.retryAfterSeconds, credential);
}

export const INVALID_TOKEN_MESSAGE =
  'the access token is not valid for this tenant: request a new one at /oauth/token';

/** Unknown, expired, of a revoked client or of another tenant: one answer for all. */
export function invalidToken(): DomainError {
  return INVALID_TOKEN.error(INVALID_TOKEN_MESSAGE);
}
