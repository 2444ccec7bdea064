/**
 * Which pool serves tenant-scoped work. Code passes the process's DataSource (the owner's)
 * to `withTenant` and `readAsTenant`; when a tenant pool (the `herald_app` login) is bound
 * to it, they run there instead, so a statement built from a request never reaches a
 * session that could `RESET ROLE` to the owner. Unbound (tests, CLI, dev without a login),
 * they run on the owner's pool and switch to `herald_app` per transaction, as before.
 */
import type { DataSource } from 'typeorm';

const tenantPools = new WeakMap<DataSource, DataSource>();

export function bindTenantDataSource(owner: DataSource, tenant: DataSource): void {
  tenantPools.set(owner, tenant);
}

export function tenantDataSource(ds: DataSource): DataSource {
  return tenantPools.get(ds) ?? ds;
}
