/**
 * Tenant admins, who log in to the admin console at `/admin`, and their sessions.
 *
 * - `tenant_admins`: one row per admin of a tenant, the email stored lowercased and unique
 *   within the tenant, the password as a self-describing scrypt string (never the password),
 *   and the lockout state of the login (consecutive failures, locked until).
 * - `admin_sessions`: the id is the SHA-256 of the random token in the cookie, so a leaked
 *   table opens no session; the CSRF token is stored the same way. Each session has an
 *   absolute end (`expires_at`) and an idle one (`last_seen_at` + the configured idle timeout).
 *
 * Both are tenant-owned and get the treatment of every tenant table
 * (1764158400000-access.ts, 1764676800000-least-privilege.ts): row-level security, FORCEd,
 * the `tenant_isolation` policy and the owner's `system_scope` opt-in.
 */
import { MigrationInterface, QueryRunner } from 'typeorm';
import { isolateTenantTable } from './tenant-table';

export const ADMIN_TABLES = ['tenant_admins', 'admin_sessions'] as const;

export class TenantAdmins1764763200000 implements MigrationInterface {
  name = 'TenantAdmins1764763200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE tenant_admins (
        id              text PRIMARY KEY,
        tenant          text NOT NULL REFERENCES tenants (slug) ON DELETE CASCADE,
        email           text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
        password_hash   text NOT NULL,
        failed_attempts integer NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
        locked_until    timestamptz,
        disabled_at     timestamptz,
        created_at      timestamptz NOT NULL DEFAULT now(),
        last_login_at   timestamptz,
        UNIQUE (tenant, email)
      )`);

    await q.query(`
      CREATE TABLE admin_sessions (
        id           bytea PRIMARY KEY CHECK (octet_length(id) = 32),
        tenant       text NOT NULL REFERENCES tenants (slug) ON DELETE CASCADE,
        admin_id     text NOT NULL REFERENCES tenant_admins (id) ON DELETE CASCADE,
        csrf_hash    bytea NOT NULL CHECK (octet_length(csrf_hash) = 32),
        created_at   timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        expires_at   timestamptz NOT NULL,
        revoked_at   timestamptz
      )`);
    await q.query(`CREATE INDEX admin_sessions_admin ON admin_sessions (admin_id) WHERE revoked_at IS NULL`);

    for (const table of ADMIN_TABLES) {
      await isolateTenantTable(q, table);
      await q.query(`GRANT SELECT, INSERT, UPDATE ON ${table} TO herald_app`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE admin_sessions`);
    await q.query(`DROP TABLE tenant_admins`);
  }
}
