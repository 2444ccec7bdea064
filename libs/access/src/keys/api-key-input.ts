/** Validation of a key's requested properties, shared by every way of creating one. */
import { isScope, Scope, SCOPES } from '@herald/contracts';
import type { KeyMode } from './api-key-secret';
import { ApiKeyInputError, CreateApiKeyInput } from './api-key';

export const MAX_LABEL_LENGTH = 100;
/** Postgres `integer` bound of the limit columns. */
export const MAX_KEY_LIMIT = 2_147_483_647;

export interface ValidKeyInput {
  scopes: Scope[];
  mode: KeyMode;
  label: string | null;
  expiresAt: Date | null;
  rateLimitPerMinute: number | null;
  dailyQuota: number | null;
}

export function validateKeyInput(input: CreateApiKeyInput, now = new Date()): ValidKeyInput {
  const scopes = [...new Set(input.scopes.map((s) => s.trim()))];
  if (scopes.length === 0 || scopes.some((s) => s === '')) {
    throw new ApiKeyInputError(`scopes must be a comma-separated list of: ${SCOPES.join(', ')}`, 'scopes');
  }
  for (const s of scopes) {
    if (!isScope(s)) {
      throw new ApiKeyInputError(`unknown scope "${s}" (known: ${SCOPES.join(', ')})`, 'scopes');
    }
  }
  const mode = input.mode ?? 'live';
  if (mode !== 'live' && mode !== 'test') {
    throw new ApiKeyInputError(`mode must be live or test (got "${String(mode)}")`, 'mode');
  }
  const label = input.label?.trim() || null;
  if (label !== null && (label.length > MAX_LABEL_LENGTH || /\p{Cc}/u.test(label))) {
    throw new ApiKeyInputError(`label must be at most ${MAX_LABEL_LENGTH} printable characters`, 'label');
  }
  if (input.expiresAt !== undefined) {
    if (Number.isNaN(input.expiresAt.getTime())) {
      throw new ApiKeyInputError('expiry is not a valid time', 'expires_at');
    }
    if (input.expiresAt.getTime() <= now.getTime()) {
      throw new ApiKeyInputError(
        `expiry must be in the future (got ${input.expiresAt.toISOString()})`,
        'expires_at',
      );
    }
  }
  return {
    scopes: scopes as Scope[],
    mode,
    label,
    expiresAt: input.expiresAt ?? null,
    rateLimitPerMinute: positive('rate limit per minute', 'rate_limit_per_minute', input.rateLimitPerMinute),
    dailyQuota: positive('daily quota', 'daily_quota', input.dailyQuota),
  };
}

function positive(what: string, field: string, n: number | undefined): number | null {
  if (n === undefined) return null;
  if (!Number.isInteger(n) || n < 1 || n > MAX_KEY_LIMIT) {
    throw new ApiKeyInputError(
      `${what} must be a whole number between 1 and ${MAX_KEY_LIMIT} (got ${n})`,
      field,
    );
  }
  return n;
}
