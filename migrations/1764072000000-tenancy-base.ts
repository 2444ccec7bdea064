/**
 * Tenancy base: the tenants registry, the non-owner application role, the
 * per-transaction tenant setting that row-level security keys on, and the first
 * tenant-owned table (per-tenant settings) following that pattern.
 *
 * RLS binds `herald_app`, the role every tenant-serving transaction switches to. The
 * schema owner (migrations, system workers that write many tenants' rows from the
 * event stream) is not bound; it never serves a tenant's request.
 */
import { MigrationInterface, QueryRunner } from 'typeorm';

export class TenancyBase1764072000000 implements MigrationInterface {
  name = 'TenancyBase1764072000000';

  async up(q: QueryRunner): Promise<void> {
    // Roles are cluster-wide: several databases (tests, tenants of a shared server) may share it.
    await q.query(`
      DO $$
      BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'herald_app') THEN
          CREATE ROLE herald_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOINHERIT;
        END IF;
      END $$`);
    await q.query(`GRANT herald_app TO CURRENT_USER`);
    await q.query(`GRANT USAGE ON SCHEMA public TO herald_app`);

    // NULL when unset, so a policy comparing against it matches no row: fail closed.
    await q.query(`
      CREATE FUNCTION herald_current_tenant() RETURNS text
      LANGUAGE sql STABLE PARALLEL SAFE
      AS $$ SELECT NULLIF(current_setting('herald.tenant', true), '') $$`);
    await q.query(`GRANT EXECUTE ON FUNCTION herald_current_tenant() TO herald_app`);

    await q.query(`
      CREATE TABLE tenants (
        slug        text PRIMARY KEY CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
        name        text NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        disabled_at timestamptz
      )`);
    await q.query(`ALTER TABLE tenants ENABLE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY tenant_isolation ON tenants USING (slug = herald_current_tenant())`);
    await q.query(`GRANT SELECT ON tenants TO herald_app`);

    await q.query(`
      CREATE TABLE tenant_settings (
        tenant                 text PRIMARY KEY REFERENCES tenants (slug) ON DELETE CASCADE,
        retry_schedule_ms      integer[],
        attempt_timeout_ms     integer NOT NULL DEFAULT 10000 CHECK (attempt_timeout_ms BETWEEN 100 AND 60000),
        auto_disable_threshold integer NOT NULL DEFAULT 20 CHECK (auto_disable_threshold > 0),
        rate_limit_per_minute  integer NOT NULL DEFAULT 600 CHECK (rate_limit_per_minute > 0),
        daily_quota            integer CHECK (daily_quota IS NULL OR daily_quota > 0),
        updated_at             timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`ALTER TABLE tenant_settings ENABLE ROW LEVEL SECURITY`);
    await q.query(`
      CREATE POLICY tenant_isolation ON tenant_settings
        USING (tenant = herald_current_tenant())
        WITH CHECK (tenant = herald_current_tenant())`);
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON tenant_settings TO herald_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE tenant_settings`);
    await q.query(`DROP TABLE tenants`);
    await q.query(`DROP FUNCTION herald_current_tenant()`);
    await q.query(`REVOKE USAGE ON SCHEMA public FROM herald_app`);
    // The role is cluster-wide and may serve other databases; it is left in place.
  }
}
