/**
 * `quota_days`: how many requests each subject of a daily quota (an API key, an OAuth
 * client) has used on each UTC day, so a gateway that restarts keeps counting where it was
 * instead of granting the day's quota again. Gateways count in memory and add their counts
 * here in batches (libs/access/src/rate-limit/quota-days.ts); a gateway that first meets a
 * subject on a day reads its row. Rows of past days are deleted as days pass.
 *
 * Tenant-owned, with the treatment of every tenant table: row-level security, FORCEd, the
 * `tenant_isolation` policy and `system_scope`. Only the system login writes it; the
 * tenant login gets nothing.
 */
import { MigrationInterface, QueryRunner } from 'typeorm';
import { isolateTenantTable } from './tenant-table';

export class QuotaDays1764784800000 implements MigrationInterface {
  name = 'QuotaDays1764784800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE quota_days (
        subject text NOT NULL,
        day     date NOT NULL,
        tenant  text NOT NULL REFERENCES tenants (slug) ON DELETE CASCADE,
        used    bigint NOT NULL CHECK (used >= 0),
        PRIMARY KEY (subject, day)
      )`);
    await q.query(`CREATE INDEX quota_days_day ON quota_days (day)`);
    await isolateTenantTable(q, 'quota_days');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE quota_days`);
  }
}
