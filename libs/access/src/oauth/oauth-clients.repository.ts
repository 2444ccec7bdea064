/**
 * OAuth clients and their access tokens in Postgres, every query through `withTenant`
 * (row-level security): a client authenticates, and a token is found, within the tenant
 * of the request only. Tokens are opaque and stored hashed; a token's lookup joins its
 * client, so a revoked client's tokens are refused by the first lookup after the
 * revocation, and the `herald_access` notification drops them from every gateway's cache.
 */
import { isScope, newUlid, Scope } from '@herald/contracts';
import { appendAudit, InvalidTenantError, withTenant } from '@herald/platform';
import type { DataSource, EntityManager } from 'typeorm';
import { revokeAndConfirm } from '../key-cache/revoke-access';
import { RevokeResult, UnknownTenantError } from '../keys/api-key';
import { validateKeyInput } from '../keys/api-key-input';
import { hashApiKey, sameHash } from '../keys/api-key-secret';
import { DEFAULT_RATE_LIMIT_PER_MINUTE, KeyLookup } from '../keys/api-keys.repository';
import {
  AuthenticatedClient,
  CreatedOAuthClient,
  CreateOAuthClientInput,
  IssuedToken,
  OAuthClientNotFoundError,
  OAuthClientView,
} from './oauth-client';
import { EXPIRED_TOKEN_RETENTION } from './expired-token-sweeper';
import {
  isWellFormedClientId,
  isWellFormedClientSecret,
  mintAccessToken,
  mintClientSecret,
} from './oauth-secret';

interface ClientRow {
  id: string;
  tenant: string;
  label: string | null;
  secret_prefix: string;
  scopes: string[];
  created_by: string | null;
  created_at: Date;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

const VIEW_COLUMNS = `id, tenant, label, secret_prefix, scopes, created_by, created_at, revoked_at, last_used_at`;

export class OAuthClientsRepository {
  constructor(private readonly ds: DataSource) {}

  /** Mints a client with its secret and records `oauth_client.created` in the same transaction. */
  async create(input: CreateOAuthClientInput): Promise<CreatedOAuthClient> {
    const valid = validateKeyInput({
      tenant: input.tenant,
      scopes: input.scopes,
      label: input.label,
      actor: input.actor,
    });
    const secret = mintClientSecret();
    const id = `client_${newUlid()}`;
    return this.scoped(input.tenant, async (em) => {
      await assertTenant(em, input.tenant, { enabledOnly: true });
      const rows: ClientRow[] = await em.query(
        `INSERT INTO oauth_clients (id, tenant, label, secret_prefix, secret_hash, scopes, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         RETURNING ${VIEW_COLUMNS}`,
        [id, input.tenant, valid.label, secret.prefix, secret.hash, valid.scopes, input.actor],
      );
      const view = toView(rows[0]!);
      await appendAudit(em, {
        tenant: input.tenant,
        actor: input.actor,
        action: 'oauth_client.created',
        targetType: 'oauth_client',
        targetId: id,
        details: { label: view.label, secret_prefix: view.secretPrefix, scopes: view.scopes },
      });
      return { ...view, secret: secret.value };
    });
  }

  /** Every client of the tenant, oldest first, revoked ones included; never the hash. */
  async list(tenant: string): Promise<OAuthClientView[]> {
    return this.scoped(tenant, async (em) => {
      await assertTenant(em, tenant, { enabledOnly: false });
      const rows: ClientRow[] = await em.query(
        `SELECT ${VIEW_COLUMNS} FROM oauth_clients WHERE tenant = $1 ORDER BY created_at, id`,
        [tenant],
      );
      return rows.map(toView);
    });
  }

  /**
   * Revokes a client, deletes its tokens and records `oauth_client.revoked`; returns once
   * every live gateway has dropped its tokens (or the timeout passed). Revoking twice is
   * a no-op that reports `alreadyRevoked`.
   */
  async revoke(
    tenant: string,
    id: string,
    actor: string,
    opts: { propagationTimeoutMs?: number } = {},
  ): Promise<RevokeResult> {
    return revokeAndConfirm(
      this.ds,
      (work) =>
        this.scoped(tenant, async (em) => {
          await assertTenant(em, tenant, { enabledOnly: false });
          return work(em);
        }),
      {
        table: 'oauth_clients',
        tenant,
        id,
        actor,
        audit: { action: 'oauth_client.revoked', targetType: 'oauth_client' },
        alsoOnRevoke: async (em) => {
          await em.query(`DELETE FROM oauth_tokens WHERE tenant = $1 AND client_id = $2`, [tenant, id]);
        },
        notFound: () => new OAuthClientNotFoundError(id, tenant),
      },
      opts,
    );
  }

  /**
   * The live client with this id and secret in `tenant`, or null. The secret's hash is
   * compared in constant time; an unknown id costs the same hash as a known one.
   */
  async authenticate(tenant: string, clientId: string, secret: string): Promise<AuthenticatedClient | null> {
    const presented = hashApiKey(secret);
    if (!isWellFormedClientId(clientId) || !isWellFormedClientSecret(secret)) return null;
    return this.scoped(tenant, async (em) => {
      const rows: Array<{ secret_hash: Buffer; scopes: string[] }> = await em.query(
        `SELECT secret_hash, scopes FROM oauth_clients
         WHERE tenant = $1 AND id = $2 AND revoked_at IS NULL`,
        [tenant, clientId],
      );
      const row = rows[0];
      if (!row || !sameHash(row.secret_hash, presented)) return null;
      return { id: clientId, tenant, scopes: row.scopes.filter(isScope) };
    });
  }

  /**
   * Stores a new token for `client`, or returns null when the client was revoked since it
   * authenticated (the insert is conditional, so a racing revocation leaves no token behind).
   * Expired tokens of the client are cleared on the way.
   */
  async issueToken(
    client: AuthenticatedClient,
    scopes: readonly Scope[],
    ttlMs: number,
  ): Promise<IssuedToken | null> {
    const token = mintAccessToken();
    const expiresInSeconds = Math.max(1, Math.floor(ttlMs / 1000));
    const inserted = await this.scoped(client.tenant, async (em) => {
      await em.query(
        `DELETE FROM oauth_tokens
         WHERE tenant = $1 AND client_id = $2 AND expires_at < now() - ${EXPIRED_TOKEN_RETENTION}`,
        [client.tenant, client.id],
      );
      const rows: unknown[] = await em.query(
        `INSERT INTO oauth_tokens (token_hash, tenant, client_id, scopes, expires_at)
         SELECT $1, $2, $3, $4, now() + make_interval(secs => $5)
         FROM oauth_clients WHERE tenant = $2 AND id = $3 AND revoked_at IS NULL
         RETURNING client_id`,
        [token.hash, client.tenant, client.id, scopes, expiresInSeconds],
      );
      return rows.length > 0;
    });
    return inserted ? { accessToken: token.value, expiresInSeconds, scopes } : null;
  }

  /**
   * The token with this hash, within `tenant` only, as the access guard sees a key: its
   * id is the client's (what rate limits, usage and cache invalidation go by), its expiry
   * the token's, revoked when the client is; plus the tenant's state and limits.
   */
  async findTokenByHash(tenant: string, hash: Buffer): Promise<KeyLookup> {
    return this.scoped(tenant, async (em) => {
      const rows: Array<{
        tenant_enabled: boolean;
        tenant_rate: number | null;
        tenant_quota: number | null;
        token_hash: Buffer | null;
        client_id: string | null;
        scopes: string[] | null;
        expires_at: Date | null;
        revoked_at: Date | null;
      }> = await em.query(
        `SELECT t.disabled_at IS NULL AS tenant_enabled,
                s.rate_limit_per_minute AS tenant_rate, s.daily_quota AS tenant_quota,
                o.token_hash, o.client_id, o.scopes, o.expires_at, c.revoked_at
         FROM tenants t
         LEFT JOIN tenant_settings s ON s.tenant = t.slug
         LEFT JOIN oauth_tokens o ON o.tenant = t.slug AND o.token_hash = $2
         LEFT JOIN oauth_clients c ON c.tenant = t.slug AND c.id = o.client_id
         WHERE t.slug = $1`,
        [tenant, hash],
      );
      const row = rows[0];
      if (!row?.tenant_enabled) return { tenantEnabled: false };
      if (
        !row.token_hash ||
        !row.client_id ||
        !row.scopes ||
        !row.expires_at ||
        !sameHash(row.token_hash, hash)
      ) {
        return { tenantEnabled: true, key: null };
      }
      return {
        tenantEnabled: true,
        key: {
          id: row.client_id,
          tenant,
          mode: 'live',
          scopes: row.scopes.filter(isScope),
          expiresAt: row.expires_at.getTime(),
          revoked: row.revoked_at !== null,
          ratePerMinute: row.tenant_rate ?? DEFAULT_RATE_LIMIT_PER_MINUTE,
          dailyQuota: row.tenant_quota,
        },
      };
    });
  }

  private scoped<T>(tenant: string, work: (em: EntityManager) => Promise<T>): Promise<T> {
    return withTenant(this.ds, tenant, work).catch((err: unknown) => {
      if (err instanceof InvalidTenantError) throw new UnknownTenantError(tenant);
      throw err;
    });
  }
}

async function assertTenant(
  em: EntityManager,
  tenant: string,
  opts: { enabledOnly: boolean },
): Promise<void> {
  const rows: Array<{ enabled: boolean }> = await em.query(
    `SELECT disabled_at IS NULL AS enabled FROM tenants WHERE slug = $1`,
    [tenant],
  );
  if (!rows[0] || (opts.enabledOnly && !rows[0].enabled)) throw new UnknownTenantError(tenant);
}

function toView(row: ClientRow): OAuthClientView {
  return {
    id: row.id,
    tenant: row.tenant,
    label: row.label,
    secretPrefix: row.secret_prefix,
    scopes: row.scopes.filter(isScope),
    createdBy: row.created_by,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
  };
}
