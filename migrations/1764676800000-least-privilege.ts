/**
 * Least privilege for the database sessions.
 *
 * - `herald_app` becomes a role the tenant-scoped pool logs in as (HERALD_DATABASE_APP_URL):
 *   not superuser, not the owner of anything, NOBYPASSRLS, with only the grants earlier
 *   migrations gave it. Its password is set outside migrations (by `herald dev`, or by the
 *   operator; docs/operations.md). A session that logs in as it has nothing to `RESET ROLE`
 *   back to.
 * - Every tenant table's row-level security is FORCEd, so the schema owner is bound by the
 *   tenant policy too: an owner session with no tenant sees no rows, and neither does a
 *   SECURITY DEFINER function run from a tenant's session.
 * - Cross-tenant work (the projector, dispatcher and delivery workers, key lookup by hash,
 *   the tenants registry, CLI admin commands) runs on the owner's pool, which opts in to the
 *   `system_scope` policy by setting `herald.system = on` for its sessions. That policy
 *   applies to the owner only, and only in the owner's own session (not inside a definer
 *   function called by another login).
 */
import { MigrationInterface, QueryRunner } from 'typeorm';

/** Every table with a `tenant_isolation` policy. */
export const TENANT_TABLES = [
  'tenants',
  'tenant_settings',
  'events',
  'users',
  'posts',
  'api_keys',
  'audit_log',
  'api_key_usage',
  'webhook_endpoints',
  'webhook_messages',
  'webhook_deliveries',
  'webhook_attempts',
] as const;

export class LeastPrivilege1764676800000 implements MigrationInterface {
  name = 'LeastPrivilege1764676800000';

  async up(q: QueryRunner): Promise<void> {
    // Changing another role's attributes takes CREATEROLE (and, from Postgres 16, ADMIN on
    // it); an owner without them leaves this to the operator, who provisions the login.
    await q.query(`
      DO $$
      BEGIN
        ALTER ROLE herald_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION;
      EXCEPTION WHEN insufficient_privilege THEN
        RAISE NOTICE 'herald_app left as it is: % (see docs/operations.md, "Database roles")', SQLERRM;
      END $$`);

    // True only in a session that logged in as the role now acting (so not inside a definer
    // function called from herald_app's session) and that asked for system scope.
    await q.query(`
      CREATE FUNCTION herald_system_scope() RETURNS boolean
      LANGUAGE sql STABLE PARALLEL SAFE
      AS $$ SELECT current_setting('herald.system', true) = 'on' AND session_user = current_user $$`);
    await q.query(`REVOKE EXECUTE ON FUNCTION herald_system_scope() FROM PUBLIC`);

    for (const table of TENANT_TABLES) {
      await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      // Sub-selects: evaluated once per statement, not once per row.
      await q.query(`
        CREATE POLICY system_scope ON ${table} TO CURRENT_USER
          USING ((SELECT herald_system_scope()))
          WITH CHECK ((SELECT herald_system_scope()))`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of TENANT_TABLES) {
      await q.query(`DROP POLICY system_scope ON ${table}`);
      await q.query(`ALTER TABLE ${table} NO FORCE ROW LEVEL SECURITY`);
    }
    await q.query(`DROP FUNCTION herald_system_scope()`);
    // The role is cluster-wide and may serve other databases; its LOGIN is left in place.
  }
}
