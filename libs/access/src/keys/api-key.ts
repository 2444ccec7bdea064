/** What the rest of the code knows about an API key; the hash never leaves the repository. */
import type { Scope } from '@herald/contracts';
import type { KeyMode } from './api-key-secret';

/** A key as listed to operators (CLI, admin UI). */
export interface ApiKeyView {
  id: string;
  tenant: string;
  mode: KeyMode;
  label: string | null;
  prefix: string;
  scopes: Scope[];
  rateLimitPerMinute: number | null;
  dailyQuota: number | null;
  createdBy: string | null;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

/** The create result: the only place the plaintext key ever appears. */
export interface CreatedApiKey extends ApiKeyView {
  key: string;
}

export interface CreateApiKeyInput {
  tenant: string;
  scopes: readonly string[];
  mode?: KeyMode;
  label?: string;
  expiresAt?: Date;
  rateLimitPerMinute?: number;
  dailyQuota?: number;
  /** Who asks (e.g. `cli:alice`, `herald dev`, an admin's email): goes to the audit log. */
  actor: string;
}

export interface RevokeResult {
  id: string;
  revokedAt: Date;
  /** True when the key was revoked before this call: nothing changed, nothing audited. */
  alreadyRevoked: boolean;
  /**
   * Live gateways that had not dropped the key when the wait for them timed out (0 in
   * the normal case). Each still stops accepting it within seconds: its listener is
   * then either caught up or known dead, and a dead listener's cache is not trusted.
   */
  unconfirmedGateways: number;
}

/**
 * What the access guard needs about a presented key, with the tenant's limits already
 * folded in (key override, else tenant setting).
 */
export interface KeyRecord {
  id: string;
  tenant: string;
  mode: KeyMode;
  scopes: readonly Scope[];
  expiresAt: number | null;
  revoked: boolean;
  ratePerMinute: number;
  dailyQuota: number | null;
}

/** Bad input to a key operation, phrased as the one line the operator needs. */
export class ApiKeyInputError extends Error {
  readonly code: string = 'invalid_api_key_input';
  constructor(
    message: string,
    /** The input it is about (`scopes`, `expires_at`, …), for an API answer's details. */
    readonly field?: string,
  ) {
    super(message);
  }
}

export class UnknownTenantError extends ApiKeyInputError {
  override readonly code = 'tenant_not_found';
  constructor(tenant: string) {
    super(`unknown or disabled tenant "${tenant}"`);
  }
}

export class ApiKeyNotFoundError extends ApiKeyInputError {
  override readonly code = 'api_key_not_found';
  constructor(id: string, tenant: string) {
    super(`no API key "${id}" in tenant "${tenant}"`);
  }
}
