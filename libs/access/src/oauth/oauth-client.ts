/** What the rest of the code knows about an OAuth client; the secret's hash never leaves the repository. */
import type { Scope } from '@herald/contracts';
import { ApiKeyInputError } from '../keys/api-key';

export interface OAuthClientView {
  id: string;
  tenant: string;
  label: string | null;
  /** The start of the secret, to recognise it by (`mc_cs_AbCd1234`). */
  secretPrefix: string;
  scopes: Scope[];
  createdBy: string | null;
  createdAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

/** The create result: the only place the plaintext secret ever appears. */
export interface CreatedOAuthClient extends OAuthClientView {
  secret: string;
}

export interface CreateOAuthClientInput {
  tenant: string;
  scopes: readonly string[];
  label?: string;
  /** Who asks (e.g. `cli:alice`): goes to the audit log. */
  actor: string;
}

/** A client that authenticated at the token endpoint. */
export interface AuthenticatedClient {
  id: string;
  tenant: string;
  scopes: readonly Scope[];
}

export interface IssuedToken {
  accessToken: string;
  expiresInSeconds: number;
  scopes: readonly Scope[];
}

export class OAuthClientNotFoundError extends ApiKeyInputError {
  override readonly code = 'oauth_client_not_found';
  constructor(id: string, tenant: string) {
    super(`no OAuth client "${id}" in tenant "${tenant}"`);
  }
}
