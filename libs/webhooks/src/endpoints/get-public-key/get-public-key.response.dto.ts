/** The answer to `GET /api/v1/webhooks/{id}/public-key`. */
import type { SigningScheme } from '../endpoint';

export class WebhookPublicKeyResponseDto {
  /** The endpoint the key belongs to. */
  endpoint_id!: string;

  /** Always `standard-webhooks-ed25519`: only that scheme has a public key. */
  signing_scheme!: SigningScheme;

  /**
   * The Ed25519 key that verifies the `v1a,` signatures: `whpk_` + base64 of the raw 32-byte
   * key (the Standard Webhooks format). Not a secret.
   */
  public_key!: string;

  /** A short fingerprint of `public_key`: `whpk_` base64 decoded, SHA-256, first 8 bytes in hex. */
  key_id!: string;

  /**
   * During a rotation's grace window, the previous key, which still signs (a second `v1a,`)
   * until `previous_public_key_expires_at`; absent otherwise.
   */
  previous_public_key?: string;

  /** When the previous key stops signing; present with `previous_public_key`. */
  previous_public_key_expires_at?: string;
}
