/**
 * The error codes of the OAuth token endpoint (`POST /oauth/token`, RFC 6749 §5.2), which
 * answers `{"error", "error_description"}` instead of the API envelope. Defined here, beside
 * the API's, so the OpenAPI document and the reference list them from one definition.
 */
import { ErrorCode, RATE_LIMITED } from './error-codes';

export const OAUTH_INVALID_REQUEST = new ErrorCode(
  'invalid_request',
  400,
  'The token request is malformed: not a form body, a parameter missing or repeated, or two client authentication methods at once.',
);
export const OAUTH_INVALID_CLIENT = new ErrorCode(
  'invalid_client',
  401,
  'Client authentication failed: no credentials, an unknown or revoked client, a wrong secret, or a client of another tenant.',
);
export const OAUTH_INVALID_GRANT = new ErrorCode(
  'invalid_grant',
  400,
  'The grant is invalid; not answered for `client_credentials`, which has no grant to check, and listed for clients that branch on every RFC 6749 code.',
);
export const OAUTH_UNAUTHORIZED_CLIENT = new ErrorCode(
  'unauthorized_client',
  400,
  'The client may not use this grant type; not answered today, since every client may use `client_credentials`.',
);
export const OAUTH_UNSUPPORTED_GRANT_TYPE = new ErrorCode(
  'unsupported_grant_type',
  400,
  '`grant_type` is not `client_credentials`, the only grant the token endpoint supports.',
);
export const OAUTH_INVALID_SCOPE = new ErrorCode(
  'invalid_scope',
  400,
  '`scope` names a scope that does not exist or that the client does not hold.',
);

/** Every code the token endpoint answers with in its own shape, by status then name. */
export const OAUTH_ERROR_CODES: readonly ErrorCode[] = [
  OAUTH_INVALID_GRANT,
  OAUTH_INVALID_REQUEST,
  OAUTH_INVALID_SCOPE,
  OAUTH_UNAUTHORIZED_CLIENT,
  OAUTH_UNSUPPORTED_GRANT_TYPE,
  OAUTH_INVALID_CLIENT,
  RATE_LIMITED,
];
