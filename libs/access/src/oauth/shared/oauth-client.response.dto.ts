/**
 * An OAuth client as the management API shows it. Times are RFC 3339 UTC with six
 * fractional digits. Neither the secret nor its hash is ever part of it, except the secret
 * once in the answer to the create call.
 */
import type { Scope } from '@herald/contracts';
import { ApiKeyUsageTotalsDto } from '../../keys/shared/api-key.response.dto';

export class OAuthClientResponseDto {
  /** `client_` + a ULID: the `client_id` the client presents at `POST /oauth/token`. */
  id!: string;

  /** A name to recognise the client by; null when it was created without one. */
  label!: string | null;

  /** The first characters of the secret (`mc_cs_AbCd1234`), to tell secrets apart; not a secret. */
  secret_prefix!: string;

  /** What the client's access tokens may do (at most: a token request may ask for fewer). */
  scopes!: Scope[];

  /** When the client was revoked; null while it is not. */
  revoked_at!: string | null;

  created_at!: string;

  /** The last authenticated request made with one of its tokens (written every few seconds); null if never used. */
  last_used_at!: string | null;

  /** Requests made with its tokens in the current UTC hour and the 23 before it (written every few seconds). */
  usage_24h!: ApiKeyUsageTotalsDto;
}

/** The answer to create: the client plus its credentials, the secret shown this once. */
export class OAuthClientWithSecretResponseDto extends OAuthClientResponseDto {
  /** The same as `id`, under the name the token endpoint takes it by. */
  client_id!: string;

  /** The client secret (`mc_cs_…`), shown once: store it now, no later call returns it. */
  client_secret!: string;
}
