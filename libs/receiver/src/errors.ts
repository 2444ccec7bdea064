/** Why a delivery was refused, as a stable `code` a receiver can branch on and map to HTTP. */

export type VerificationErrorCode =
  'missing_signature' | 'bad_signature' | 'missing_timestamp' | 'stale_timestamp' | 'malformed' | 'no_secret';

/** The HTTP status each refusal answers with: the signature itself 401, everything else about the request 400. */
export const VERIFICATION_STATUS: Readonly<Record<VerificationErrorCode, 400 | 401 | 500>> = {
  missing_signature: 401,
  bad_signature: 401,
  missing_timestamp: 400,
  stale_timestamp: 400,
  malformed: 400,
  // The receiver was set up without a key: its fault, not the sender's.
  no_secret: 500,
};

export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';
  readonly status: 400 | 401 | 500;

  constructor(
    readonly code: VerificationErrorCode,
    message: string,
  ) {
    super(message);
    this.status = VERIFICATION_STATUS[code];
  }
}

/** The receiver is wired wrongly (e.g. the body was parsed before it could be verified). */
export class WebhookConfigurationError extends Error {
  override readonly name = 'WebhookConfigurationError';
}
