/**
 * Cheaper writes for the read models, which the projector writes in batches of
 * thousands of rows.
 *
 * - `events`: the primary key becomes (tenant, seq) INCLUDE (created_at). The index
 *   already kept for the per-tenant walk of the list route becomes the key, so one index
 *   less is written for every event. seq stays unique across tenants: only the
 *   `events_seq` sequence draws it.
 * - `events`, `users` and `posts` no longer have a foreign key to `tenants`. The key was
 *   checked with a lookup and a row lock on the tenant per inserted row. The projector,
 *   their only writer, now locks the batch's tenants once per transaction (FOR KEY
 *   SHARE, what the key's check took) and projects only events of tenants it found. A
 *   tenant deleted meanwhile waits for that transaction, and a trigger on `tenants`
 *   then deletes the tenant's read-model rows, as ON DELETE CASCADE did. A tenant's slug
 *   cannot be changed while other tables refer to it, which they always do.
 */
import { MigrationInterface, QueryRunner } from 'typeorm';

const TABLES = ['events', 'users', 'posts'] as const;

export class ReadModelWrites1764417600000 implements MigrationInterface {
  name = 'ReadModelWrites1764417600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE UNIQUE INDEX events_tenant_seq_key ON events (tenant, seq) INCLUDE (created_at)`);
    await q.query(`ALTER TABLE events DROP CONSTRAINT events_pkey`);
    await q.query(
      `ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_tenant_seq_key`,
    );
    await q.query(`DROP INDEX events_tenant_seq_created`);

    for (const table of TABLES) await q.query(`ALTER TABLE ${table} DROP CONSTRAINT ${table}_tenant_fkey`);
    await q.query(`
      CREATE FUNCTION herald_delete_tenant_read_models() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        ${TABLES.map((t) => `DELETE FROM ${t} WHERE tenant = OLD.slug;`).join('\n        ')}
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER tenants_delete_read_models AFTER DELETE ON tenants
        FOR EACH ROW EXECUTE FUNCTION herald_delete_tenant_read_models()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER tenants_delete_read_models ON tenants`);
    await q.query(`DROP FUNCTION herald_delete_tenant_read_models()`);
    for (const table of TABLES) {
      await q.query(
        `ALTER TABLE ${table} ADD CONSTRAINT ${table}_tenant_fkey FOREIGN KEY (tenant) REFERENCES tenants (slug) ON DELETE CASCADE`,
      );
    }
    await q.query(`CREATE INDEX events_tenant_seq_created ON events (tenant, seq) INCLUDE (created_at)`);
    await q.query(`ALTER TABLE events DROP CONSTRAINT events_pkey`);
    await q.query(`ALTER TABLE events ADD PRIMARY KEY (seq)`);
  }
}
