/**
 * An API key as the management API shows it. Times are RFC 3339 UTC with six fractional
 * digits. Neither the key nor its hash is ever part of it, except the key once in the
 * answer to the create call.
 */
import type { Scope } from '@herald/contracts';
import type { KeyMode } from '../api-key-secret';

export class ApiKeyUsageTotalsDto {
  /** Authenticated requests made with the key. */
  requests!: number;

  /** Of those, the ones answered with a status of 400 or more (refusals by the guard included). */
  errors!: number;
}

export class ApiKeyResponseDto {
  /** `key_` + a ULID. */
  id!: string;

  /** A name to recognise the key by. */
  label!: string | null;

  /** The first characters of the key (`mc_live_AbCd1234`), to tell keys apart; not a secret. */
  prefix!: string;

  /** `live` (`mc_live_…`) or `test` (`mc_test_…`). */
  mode!: KeyMode;

  /** What the key may do. */
  scopes!: Scope[];

  /** The key's own per-minute limit; null when the tenant's setting applies. */
  rate_limit_per_minute!: number | null;

  /** The key's own daily quota (per UTC day); null when the tenant's setting applies. */
  daily_quota!: number | null;

  /** When the key stops working; null when it does not expire. */
  expires_at!: string | null;

  /** When the key was revoked; null while it is not. */
  revoked_at!: string | null;

  created_at!: string;

  /** The last authenticated request made with it (written every few seconds); null if never used. */
  last_used_at!: string | null;

  /** Requests in the current UTC hour and the 23 before it (written every few seconds). */
  usage_24h!: ApiKeyUsageTotalsDto;
}

/** The answer to create: the key plus its plaintext, shown this once. */
export class ApiKeyWithSecretResponseDto extends ApiKeyResponseDto {
  /** The API key (`mc_live_…` or `mc_test_…`), shown once: store it now, no later call returns it. */
  key!: string;
}
