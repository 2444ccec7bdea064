/**
 * `admin_login_failures`: the lockout state of console logins for an email that has no
 * usable admin in the tenant (none, or a disabled one). Such a login used to answer
 * `invalid_credentials` forever while a real admin's account locked after five failures,
 * so the lock told anyone which emails are admins. Now every email locks alike: a real
 * admin's state stays in `tenant_admins`, any other email's is kept here. Failures a day
 * apart no longer count as consecutive (`last_failed_at`, on both tables), so a row without
 * failure for a day and no lock left answers as no row does, and is deleted.
 *
 * Tenant-owned, with the treatment of every tenant table (row-level security, FORCEd, the
 * `tenant_isolation` policy and the owner's `system_scope` opt-in).
 */
import { MigrationInterface, QueryRunner } from 'typeorm';
import { SYSTEM_SCOPE_ROLES } from './1764759600000-system-login';

export class LoginFailures1765094400000 implements MigrationInterface {
  name = 'LoginFailures1765094400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE admin_login_failures (
        tenant          text NOT NULL REFERENCES tenants (slug) ON DELETE CASCADE,
        email           text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
        failed_attempts integer NOT NULL CHECK (failed_attempts > 0),
        locked_until    timestamptz,
        last_failed_at  timestamptz NOT NULL,
        PRIMARY KEY (tenant, email)
      )`);
    await q.query(
      `CREATE INDEX admin_login_failures_forgotten ON admin_login_failures (tenant, last_failed_at)`,
    );
    // Failures a day apart are not consecutive (libs/access/src/admins/admin-lockout.ts).
    await q.query(`ALTER TABLE tenant_admins ADD COLUMN last_failed_at timestamptz`);
    await q.query(`ALTER TABLE admin_login_failures ENABLE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE admin_login_failures FORCE ROW LEVEL SECURITY`);
    await q.query(`
      CREATE POLICY tenant_isolation ON admin_login_failures
        USING (tenant = herald_current_tenant())
        WITH CHECK (tenant = herald_current_tenant())`);
    await q.query(`
      CREATE POLICY system_scope ON admin_login_failures TO ${SYSTEM_SCOPE_ROLES}
        USING ((SELECT herald_system_scope()))
        WITH CHECK ((SELECT herald_system_scope()))`);
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON admin_login_failures TO herald_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tenant_admins DROP COLUMN last_failed_at`);
    await q.query(`DROP TABLE admin_login_failures`);
  }
}
