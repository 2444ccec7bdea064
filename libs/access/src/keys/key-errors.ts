/** The error codes of the key management routes beyond those every public route shares. */
import type { Scope } from '@herald/contracts';
import { DomainError, ErrorCode } from '@herald/platform';
import { Credential, thisCredential } from '../guard/access-errors';
import { ApiKeyInputError, ApiKeyNotFoundError, UnknownTenantError } from './api-key';

export const INVALID_API_KEY_INPUT = new ErrorCode(
  'invalid_api_key_input',
  422,
  'The key request is well-formed but cannot be accepted as given (an expiry that is not in the future, ' +
    'a label of only spaces); `details` lists each `{field, reason}`.',
);
export const API_KEY_NOT_FOUND = new ErrorCode(
  'api_key_not_found',
  404,
  'No API key with this id in the tenant (an id of another tenant is not found either).',
);

/**
 * A key may only hand on what it holds itself: a `keys:manage` key cannot mint a key with
 * more power than its own. Answered as the guard answers a missing scope.
 */
export function scopesNotHeld(
  requested: readonly Scope[],
  missing: readonly Scope[],
  credential: Credential,
): DomainError {
  return new DomainError(
    'insufficient_scope',
    `${thisCredential(credential)} cannot grant ${missing.length > 1 ? 'scopes' : 'a scope'} it does not hold: ${missing.join(', ')}`,
    403,
    { requested_scopes: requested, missing_scopes: missing },
  );
}

/**
 * A test-mode key (`mc_test_…`, for integrators' test set-ups) cannot mint a live one: it
 * would turn a test credential into production access. Answered like a missing scope.
 */
export function liveModeNotHeld(): DomainError {
  return new DomainError(
    'insufficient_scope',
    'a test-mode API key cannot create live-mode keys: ask for "mode": "test", or use a live key or the admin console',
    403,
    { requested_mode: 'live', caller_mode: 'test' },
  );
}

/** The key repository's errors in the API's terms; anything else goes on unchanged. */
export function keyHttpError(err: unknown): unknown {
  if (err instanceof ApiKeyNotFoundError) return API_KEY_NOT_FOUND.error(err.message);
  if (err instanceof UnknownTenantError) {
    return new DomainError('tenant_not_found', 'no tenant is served at this host', 404);
  }
  if (err instanceof ApiKeyInputError) {
    const field = err.field ?? 'body';
    return INVALID_API_KEY_INPUT.error(err.message, [{ field, reason: err.message }]);
  }
  return err;
}
