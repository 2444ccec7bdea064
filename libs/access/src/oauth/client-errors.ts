/** The error codes of the OAuth client management routes beyond those every public route shares. */
import { BAD_REQUEST, DomainError, ErrorCode } from '@herald/platform';
import { ApiKeyInputError, UnknownTenantError } from '../keys/api-key';
import { OAuthClientNotFoundError } from './oauth-client';

export const OAUTH_CLIENT_NOT_FOUND = new ErrorCode(
  'oauth_client_not_found',
  404,
  'No OAuth client with this id in the tenant (an id of another tenant is not found either).',
);

/**
 * A test-mode key (`mc_test_…`) cannot create an OAuth client: the client's tokens are live
 * credentials. Answered like a missing scope, as a test-mode key asking for a live key is.
 */
export function liveClientNotHeld(): DomainError {
  return new DomainError(
    'insufficient_scope',
    'a test-mode API key cannot create OAuth clients (their tokens are live): use a live key or the admin console',
    403,
    { requested_mode: 'live', caller_mode: 'test' },
  );
}

/** The client repository's errors in the API's terms; anything else goes on unchanged. */
export function clientHttpError(err: unknown): unknown {
  if (err instanceof OAuthClientNotFoundError) return OAUTH_CLIENT_NOT_FOUND.error(err.message);
  if (err instanceof UnknownTenantError) {
    return new DomainError('tenant_not_found', 'no tenant is served at this host', 404);
  }
  // The body's schema admits only what the repository accepts: this is a backstop, not a case.
  if (err instanceof ApiKeyInputError) {
    const field = err.field ?? 'body';
    return BAD_REQUEST.error(err.message, [{ field, reason: err.message }]);
  }
  return err;
}
