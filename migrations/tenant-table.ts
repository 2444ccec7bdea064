/**
 * The row-level security every tenant-owned table gets (1764158400000-access.ts,
 * 1764676800000-least-privilege.ts): enabled and FORCEd, the `tenant_isolation` policy
 * for the tenant bound to the session, and the `system_scope` opt-in of the owner and
 * `herald_system` for cross-tenant work.
 */
import type { QueryRunner } from 'typeorm';
import { SYSTEM_SCOPE_ROLES } from './1764759600000-system-login';

export async function isolateTenantTable(q: QueryRunner, table: string): Promise<void> {
  await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
  await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
  await q.query(`
    CREATE POLICY tenant_isolation ON ${table}
      USING (tenant = herald_current_tenant())
      WITH CHECK (tenant = herald_current_tenant())`);
  await q.query(`
    CREATE POLICY system_scope ON ${table} TO ${SYSTEM_SCOPE_ROLES}
      USING ((SELECT herald_system_scope()))
      WITH CHECK ((SELECT herald_system_scope()))`);
}
