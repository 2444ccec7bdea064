/**
 * The `herald_system` login: cross-tenant work without the schema owner.
 *
 * The roles that write many tenants' rows from the event stream (projector, dispatcher and
 * delivery workers) and the gateway's bookkeeping (tenants registry, key lookup by hash,
 * usage counters, change listeners) used to run as the owner, which could ALTER or DROP
 * anything and switch row-level security off. They now log in as `herald_system`
 * (HERALD_DATABASE_SYSTEM_URL): NOSUPERUSER NOBYPASSRLS, owns nothing, row DML on the
 * schema's tables and nothing else (no TRUNCATE, no DDL), and sees tenants' rows through the
 * same `system_scope` policy as the owner — only in its own session, only once it asks for
 * system scope (`herald.system = on`, which Herald's system pool sets on connect). The owner
 * keeps migrations and the operator's CLI. Its password is set outside migrations (by
 * `herald dev`, or by the operator; docs/operations.md, "Database roles").
 */
import { MigrationInterface, QueryRunner } from 'typeorm';
import { TENANT_TABLES } from './1764676800000-least-privilege';

/** The roles a tenant table's `system_scope` policy applies to (migrations creating tenant tables use it). */
export const SYSTEM_SCOPE_ROLES = 'CURRENT_USER, herald_system';

export class SystemLogin1764759600000 implements MigrationInterface {
  name = 'SystemLogin1764759600000';

  async up(q: QueryRunner): Promise<void> {
    // Cluster-wide, like herald_app. NOINHERIT: membership of herald_app (below) lets its
    // sessions switch to that role for tenant work without gaining its grants or policies.
    await q.query(`
      DO $$
      BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'herald_system') THEN
          CREATE ROLE herald_system NOLOGIN NOSUPERUSER NOBYPASSRLS NOINHERIT;
        END IF;
      END $$`);
    await q.query(`
      DO $$
      BEGIN
        ALTER ROLE herald_system NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION;
      EXCEPTION WHEN insufficient_privilege THEN
        RAISE NOTICE 'herald_system left as it is: % (see docs/operations.md, "Database roles")', SQLERRM;
      END $$`);
    await q.query(`GRANT herald_app TO herald_system`);

    await q.query(`GRANT USAGE ON SCHEMA public TO herald_system`);
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO herald_system`);
    await q.query(`REVOKE ALL ON herald_migrations FROM herald_system`);
    await q.query(`GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO herald_system`);
    await q.query(`GRANT EXECUTE ON FUNCTION herald_system_scope() TO herald_system`);
    // Tables and sequences later migrations create get the same grants.
    await q.query(`
      ALTER DEFAULT PRIVILEGES IN SCHEMA public
        GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO herald_system`);
    await q.query(`
      ALTER DEFAULT PRIVILEGES IN SCHEMA public
        GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO herald_system`);

    for (const table of TENANT_TABLES) {
      await q.query(`ALTER POLICY system_scope ON ${table} TO ${SYSTEM_SCOPE_ROLES}`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of TENANT_TABLES) {
      await q.query(`ALTER POLICY system_scope ON ${table} TO CURRENT_USER`);
    }
    await q.query(`
      ALTER DEFAULT PRIVILEGES IN SCHEMA public
        REVOKE USAGE, SELECT, UPDATE ON SEQUENCES FROM herald_system`);
    await q.query(`
      ALTER DEFAULT PRIVILEGES IN SCHEMA public
        REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM herald_system`);
    await q.query(`REVOKE EXECUTE ON FUNCTION herald_system_scope() FROM herald_system`);
    await q.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM herald_system`);
    await q.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM herald_system`);
    await q.query(`REVOKE USAGE ON SCHEMA public FROM herald_system`);
    await q.query(`REVOKE herald_app FROM herald_system`);
    // The role is cluster-wide and may serve other databases; it is left in place.
  }
}
