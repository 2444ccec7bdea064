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
import { isolateTenantTable } from './tenant-table';

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
    await isolateTenantTable(q, 'admin_login_failures');
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON admin_login_failures TO herald_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tenant_admins DROP COLUMN last_failed_at`);
    await q.query(`DROP TABLE admin_login_failures`);
  }
}
