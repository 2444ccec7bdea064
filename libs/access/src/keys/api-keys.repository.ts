/**
 * API keys in Postgres. Everything that serves a tenant runs through `withTenant`, so
 * row-level security holds even if a query forgot its tenant: a key is only ever found
 * within the tenant of the request.
 */
import { isScope, newUlid } from '@herald/contracts';
import { appendAudit, InvalidTenantError, withTenant } from '@herald/platform';
import type { DataSource, EntityManager } from 'typeorm';
import { revokeAndConfirm } from '../key-cache/revoke-access';
import {
  ApiKeyNotFoundError,
  ApiKeyView,
  CreateApiKeyInput,
  CreatedApiKey,
  KeyRecord,
  RevokeResult,
  UnknownTenantError,
} from './api-key';
import { validateKeyInput } from './api-key-input';
import { KeyMode, mintApiKey, sameHash } from './api-key-secret';

/** Used when a tenant has no settings row (the column default of tenant_settings). */
export const DEFAULT_RATE_LIMIT_PER_MINUTE = 600;

/** A presented key looked up within one tenant. */
export type KeyLookup = { tenantEnabled: false } | { tenantEnabled: true; key: KeyRecord | null };

interface KeyRow {
  id: string;
  tenant: string;
  mode: KeyMode;
  label: string | null;
  prefix: string;
  scopes: string[];
  rate_limit_per_minute: number | null;
  daily_quota: number | null;
  created_by: string | null;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

const VIEW_COLUMNS = `id, tenant, mode, label, prefix, scopes, rate_limit_per_minute, daily_quota,
  created_by, created_at, expires_at, revoked_at, last_used_at`;

export class ApiKeysRepository {
  constructor(private readonly ds: DataSource) {}

  /** Mints a key and records `api_key.created` in the same transaction. */
  async create(input: CreateApiKeyInput): Promise<CreatedApiKey> {
    const valid = validateKeyInput(input);
    const minted = mintApiKey(valid.mode);
    const id = `key_${newUlid()}`;
    return this.scoped(input.tenant, async (em) => {
      await assertTenant(em, input.tenant, { enabledOnly: true });
      const rows: KeyRow[] = await em.query(
        `INSERT INTO api_keys (id, tenant, mode, label, prefix, key_hash, scopes, rate_limit_per_minute,
                               daily_quota, expires_at, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         RETURNING ${VIEW_COLUMNS}`,
        [
          id,
          input.tenant,
          valid.mode,
          valid.label,
          minted.prefix,
          minted.hash,
          valid.scopes,
          valid.rateLimitPerMinute,
          valid.dailyQuota,
          valid.expiresAt,
          input.actor,
        ],
      );
      const view = toView(rows[0]!);
      await appendAudit(em, {
        tenant: input.tenant,
        actor: input.actor,
        action: 'api_key.created',
        targetType: 'api_key',
        targetId: id,
        details: {
          label: view.label,
          mode: view.mode,
          prefix: view.prefix,
          scopes: view.scopes,
          expires_at: view.expiresAt?.toISOString() ?? null,
          rate_limit_per_minute: view.rateLimitPerMinute,
          daily_quota: view.dailyQuota,
        },
      });
      return { ...view, key: minted.key };
    });
  }

  /** Every key of the tenant, oldest first, revoked ones included; never the hash. */
  async list(tenant: string): Promise<ApiKeyView[]> {
    return this.scoped(tenant, async (em) => {
      await assertTenant(em, tenant, { enabledOnly: false });
      const rows: KeyRow[] = await em.query(
        `SELECT ${VIEW_COLUMNS} FROM api_keys WHERE tenant = $1 ORDER BY created_at, id`,
        [tenant],
      );
      return rows.map(toView);
    });
  }

  /**
   * Revokes a key and records `api_key.revoked`. Revoking a revoked key is a no-op that
   * reports `alreadyRevoked` (so scripts can retry safely) and writes no second audit row.
   * Gateways hear of it through the notification the table's trigger sends; this returns
   * once every live gateway has applied it (or the timeout passed: see the result).
   */
  async revoke(
    tenant: string,
    id: string,
    actor: string,
    opts: { details?: Record<string, unknown>; propagationTimeoutMs?: number } = {},
  ): Promise<RevokeResult> {
    return revokeAndConfirm(
      this.ds,
      (work) =>
        this.scoped(tenant, async (em) => {
          await assertTenant(em, tenant, { enabledOnly: false });
          return work(em);
        }),
      {
        table: 'api_keys',
        tenant,
        id,
        actor,
        audit: { action: 'api_key.revoked', targetType: 'api_key', details: opts.details ?? {} },
        notFound: () => new ApiKeyNotFoundError(id, tenant),
      },
      opts,
    );
  }

  /**
   * The key with this hash, searched within `tenant` only (a key of another tenant is
   * simply not found), plus the tenant's state and limits, in one query.
   */
  async findByHash(tenant: string, hash: Buffer): Promise<KeyLookup> {
    return this.scoped(tenant, async (em) => {
      const rows: Array<{
        tenant_enabled: boolean;
        tenant_rate: number | null;
        tenant_quota: number | null;
        id: string | null;
        key_hash: Buffer | null;
        mode: KeyMode | null;
        scopes: string[] | null;
        rate_limit_per_minute: number | null;
        daily_quota: number | null;
        expires_at: Date | null;
        revoked_at: Date | null;
      }> = await em.query(
        `SELECT t.disabled_at IS NULL AS tenant_enabled,
                s.rate_limit_per_minute AS tenant_rate, s.daily_quota AS tenant_quota,
                k.id, k.key_hash, k.mode, k.scopes, k.rate_limit_per_minute, k.daily_quota,
                k.expires_at, k.revoked_at
         FROM tenants t
         LEFT JOIN tenant_settings s ON s.tenant = t.slug
         LEFT JOIN api_keys k ON k.tenant = t.slug AND k.key_hash = $2
         WHERE t.slug = $1`,
        [tenant, hash],
      );
      const row = rows[0];
      if (!row?.tenant_enabled) return { tenantEnabled: false };
      if (!row.id || !row.key_hash || !row.mode || !row.scopes || !sameHash(row.key_hash, hash)) {
        return { tenantEnabled: true, key: null };
      }
      return {
        tenantEnabled: true,
        key: {
          id: row.id,
          tenant,
          mode: row.mode,
          scopes: row.scopes.filter(isScope),
          expiresAt: row.expires_at?.getTime() ?? null,
          revoked: row.revoked_at !== null,
          ratePerMinute: row.rate_limit_per_minute ?? row.tenant_rate ?? DEFAULT_RATE_LIMIT_PER_MINUTE,
          dailyQuota: row.daily_quota ?? row.tenant_quota,
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

/** Keys of a disabled tenant can still be listed and revoked, not created. */
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

function toView(row: KeyRow): ApiKeyView {
  return {
    id: row.id,
    tenant: row.tenant,
    mode: row.mode,
    label: row.label,
    prefix: row.prefix,
    scopes: row.scopes.filter(isScope),
    rateLimitPerMinute: row.rate_limit_per_minute,
    dailyQuota: row.daily_quota,
    createdBy: row.created_by,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
  };
}
