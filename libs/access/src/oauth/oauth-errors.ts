/**
 * A refusal of the token endpoint (RFC 6749 §5.2), answered as `{"error", "error_description"}`
 * rather than the API's envelope, since OAuth client libraries read that shape. The codes
 * are the platform's (http/oauth-error-codes.ts), where the OpenAPI document reads them too.
 */
import type { ErrorCode } from '@herald/platform';

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
