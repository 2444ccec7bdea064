/**
 * The token endpoint's errors (RFC 6749 §5.2): answered as `{"error", "error_description"}`
 * rather than the API's envelope, since OAuth client libraries read that shape. The codes
 * are defined like the API's, so the reference documents them from one place.
 */
import { ErrorCode } from '@herald/platform';

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
/** A refusal of the token endpoint, with what the response needs. */
export class OAuthError extends Error {
  constructor(
    readonly kind: ErrorCode,
    readonly description: string,
    /** Set `WWW-Authenticate: Basic` (the client authenticated, or should, with HTTP Basic). */
    readonly basicChallenge = false,
  ) {
    super(description);
  }

  get status(): number {
    return this.kind.status;
  }

  body(): { error: string; error_description: string } {
    return { error: this.kind.code, error_description: this.description };
  }
}
