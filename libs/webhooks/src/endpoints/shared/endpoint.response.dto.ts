/**
 * A webhook endpoint as the API shows it (DESIGN.md §6). Times are RFC 3339 UTC with six
 * fractional digits. The signing secret is never part of it, except once in the answer
 * to the create and rotate calls.
 */
import type { DisabledReason, SigningScheme } from '../endpoint';

export class WebhookEndpointResponseDto {
  /** `ep_` + a ULID. */
  id!: string;

  /** The https URL events are POSTed to, WHATWG-normalized. */
  url!: string;

  /** A name to recognise the endpoint by. */
  label!: string | null;

  /** What it subscribes to: exact public types, `post.*`-style wildcards, or `*`. */
  events!: string[];

  /**
   * Payload filters: a dotted path into the event (`data.forum_slug`) → the value it must
   * equal (string, number, boolean or null). `{}` when there are none.
   */
  filters!: Record<string, string | number | boolean | null>;

  /** False when disabled; `disabled_reason` says why. */
  active!: boolean;

  /** `mobieus-v1` (default), `mobieus-v1-sha512`, `standard-webhooks` or `standard-webhooks-ed25519`. */
  signing_scheme!: SigningScheme;

  /**
   * Why the endpoint stopped receiving: `manual` (PATCH `active: false`), `gone` (it
   * answered 410) or `consecutive_failures` (too many dead deliveries in a row); null while active.
   */
  disabled_reason!: DisabledReason | null;

  created_at!: string;

  updated_at!: string;

  /**
   * Present only while a rotation's grace window runs: until then deliveries are also
   * signed with the previous secret (`v1_prev`).
   */
  previous_secret_expires_at?: string;
}

/** The answer to create and rotate: the endpoint plus its new secret, shown this once. */
export class WebhookEndpointWithSecretResponseDto extends WebhookEndpointResponseDto {
  /**
   * The signing secret, shown once: store it now. `whsec_…` for the HMAC schemes; for
   * `standard-webhooks-ed25519`, the public key (`whpk_…`) that verifies the signatures.
   */
  secret!: string;
}
