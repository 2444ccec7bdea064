/**
 * The events feed is ordered by where each event lies in the public log instead of by a
 * sequence drawn at projection time, so a rebuild serves the same pages and cursors
 * (docs/architecture.md, "Events feed positions").
 *
 * Each row gets its partition and offset in the public topic and its log time (the
 * largest record timestamp of the tenant's stored events in that partition up to it). The
 * key becomes (tenant, log_partition, log_offset) INCLUDE (log_time, created_at): the list
 * route walks it per partition, index-only. `seq` and `events_seq` go.
 *
 * Stored rows do not record their log position, so none can be derived: the migration
 * empties the events read model and resets its checkpoints, and the projector rebuilds it
 * from offset 0 as `herald replay projections --projection events --from-offset 0` would
 * (the group leaves the projection out while it is behind; its catch-up runner brings it
 * level). Cursors issued before are of format v1 and are refused with `invalid_cursor`.
 */
import { MigrationInterface, QueryRunner } from 'typeorm';

async function resetEventsProjection(q: QueryRunner): Promise<void> {
  await q.query(`TRUNCATE events`);
  await q.query(`DELETE FROM projection_checkpoints WHERE projection = 'events'`);
  await q.query(
    `UPDATE projection_control SET generation = generation + 1, rebuild_target = NULL WHERE projection = 'events'`,
  );
}

export class EventsFeedPositions1764774000000 implements MigrationInterface {
  name = 'EventsFeedPositions1764774000000';

  async up(q: QueryRunner): Promise<void> {
    await resetEventsProjection(q);
    await q.query(`ALTER TABLE events DROP CONSTRAINT events_pkey`);
    await q.query(`DROP INDEX events_tenant_type_seq_created`);
    await q.query(`DROP INDEX events_tenant_created_seq`);
    await q.query(`ALTER TABLE events DROP COLUMN seq`);
    await q.query(`DROP SEQUENCE events_seq`);
    await q.query(`
      ALTER TABLE events
        ADD COLUMN log_partition integer NOT NULL,
        ADD COLUMN log_offset    bigint NOT NULL,
        ADD COLUMN log_time      bigint NOT NULL`);
    await q.query(
      `ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY (tenant, log_partition, log_offset) INCLUDE (log_time, created_at)`,
    );
    await q.query(
      `CREATE INDEX events_tenant_type_position ON events (tenant, type, log_partition, log_offset) INCLUDE (log_time, created_at)`,
    );
    await q.query(
      `CREATE INDEX events_tenant_created_position ON events (tenant, created_at) INCLUDE (log_partition, log_offset)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await resetEventsProjection(q);
    await q.query(`DROP INDEX events_tenant_created_position`);
    await q.query(`DROP INDEX events_tenant_type_position`);
    await q.query(`ALTER TABLE events DROP CONSTRAINT events_pkey`);
    await q.query(
      `ALTER TABLE events DROP COLUMN log_partition, DROP COLUMN log_offset, DROP COLUMN log_time`,
    );
    await q.query(`CREATE SEQUENCE events_seq AS bigint`);
    await q.query(`ALTER TABLE events ADD COLUMN seq bigint NOT NULL`);
    await q.query(
      `ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY (tenant, seq) INCLUDE (created_at)`,
    );
    await q.query(
      `CREATE INDEX events_tenant_type_seq_created ON events (tenant, type, seq) INCLUDE (created_at)`,
    );
    await q.query(`CREATE INDEX events_tenant_created_seq ON events (tenant, created_at) INCLUDE (seq)`);
  }
}
