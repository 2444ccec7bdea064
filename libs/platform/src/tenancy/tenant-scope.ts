/**
 * Runs a unit of work inside a tenant-scoped transaction as `herald_app` — the tenant pool's
 * own login when one is bound (tenant-pool.ts), else the owner's session switched to that
 * role — with `herald.tenant` set for this transaction only, so row-level security admits
 * that tenant's rows and nothing else, whatever the SQL says. See docs/architecture.md,
 * "Tenant isolation".
 */
import { DataSource, EntityManager } from 'typeorm';
import { tenantDataSource } from './tenant-pool';

export const TENANT_SLUG = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export class InvalidTenantError extends Error {
  readonly code = 'invalid_tenant';
  constructor(slug: string) {
    super(`invalid tenant slug ${JSON.stringify(slug)}: use a DNS label (a-z, 0-9, "-", 1-63 chars)`);
  }
}

/**
 * Switches the transaction to `herald_app` (a no-op on its own login; the owner's pool,
 * when no tenant pool is bound) and sets its tenant, both transaction-local, in one
 * statement ($1 = the tenant slug).
 */
export const TENANT_SCOPE_SQL = `SELECT set_config('role', 'herald_app', true), set_config('herald.tenant', $1, true)`;

export async function withTenant<T>(
  ds: DataSource,
  tenant: string,
  work: (em: EntityManager) => Promise<T>,
): Promise<T> {
  if (!TENANT_SLUG.test(tenant)) throw new InvalidTenantError(tenant);
  return tenantDataSource(ds).transaction(async (em) => {
    await em.query(TENANT_SCOPE_SQL, [tenant]);
    return work(em);
  });
}
