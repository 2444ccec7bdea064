/**
 * The event pipeline's state: the read models (events, users, posts; tenant-owned,
 * row-level security), the projection checkpoints and control rows, and the
 * translator's first-occurrence memory for kinds published only once per subject.
 */
import { MigrationInterface, QueryRunner } from 'typeorm';

const TENANT_TABLES = ['events', 'users', 'posts'];

export class EventPipeline1764075600000 implements MigrationInterface {
  name = 'EventPipeline1764075600000';

  async up(q: QueryRunner): Promise<void> {
    // Global append order of the events read model. Values are taken under the events
    // projection's lock, so they commit in order and a cursor never skips a late commit.
    await q.query(`CREATE SEQUENCE events_seq AS bigint`);
    await q.query(`
      CREATE TABLE events (
        seq        bigint PRIMARY KEY,
        id         text NOT NULL UNIQUE,
        tenant     text NOT NULL REFERENCES tenants (slug) ON DELETE CASCADE,
        type       text NOT NULL,
        created_at timestamptz NOT NULL,
        data       json NOT NULL,
        subject_id text NOT NULL
      )`);
    await q.query(`CREATE INDEX events_tenant_seq ON events (tenant, seq)`);
    await q.query(`CREATE INDEX events_tenant_type_seq ON events (tenant, type, seq)`);
    await q.query(`CREATE INDEX events_tenant_created ON events (tenant, created_at)`);

    await q.query(`
      CREATE TABLE users (
        tenant       text NOT NULL REFERENCES tenants (slug) ON DELETE CASCADE,
        id           bigint NOT NULL,
        username     text,
        display_name text,
        joined_at    timestamptz,
        banned_until timestamptz,
        updated_at   timestamptz NOT NULL,
        PRIMARY KEY (tenant, id)
      )`);

    await q.query(`
      CREATE TABLE posts (
        tenant          text NOT NULL REFERENCES tenants (slug) ON DELETE CASCADE,
        id              bigint NOT NULL,
        thread_id       bigint,
        forum_slug      text,
        title           text,
        author_id       bigint,
        author_username text,
        created_at      timestamptz,
        updated_at      timestamptz NOT NULL,
        deleted         boolean NOT NULL DEFAULT false,
        PRIMARY KEY (tenant, id)
      )`);

    for (const table of TENANT_TABLES) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`
        CREATE POLICY tenant_isolation ON ${table}
          USING (tenant = herald_current_tenant())
          WITH CHECK (tenant = herald_current_tenant())`);
      await q.query(`GRANT SELECT ON ${table} TO herald_app`);
    }

    await q.query(`
      CREATE TABLE projection_checkpoints (
        projection  text NOT NULL,
        topic       text NOT NULL,
        partition   integer NOT NULL,
        next_offset bigint NOT NULL,
        updated_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (projection, topic, partition)
      )`);
    await q.query(`
      CREATE TABLE projection_control (
        projection       text PRIMARY KEY,
        generation       integer NOT NULL DEFAULT 0,
        rebuild_target   jsonb,
        last_seen_at     timestamptz
      )`);
    await q.query(`INSERT INTO projection_control (projection) VALUES ('events'), ('users'), ('posts')`);

    await q.query(`
      CREATE TABLE translator_first_occurrences (
        tenant            text NOT NULL REFERENCES tenants (slug) ON DELETE CASCADE,
        kind              text NOT NULL,
        subject_id        text NOT NULL,
        internal_event_id text NOT NULL,
        created_at        timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant, kind, subject_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE translator_first_occurrences`);
    await q.query(`DROP TABLE projection_control`);
    await q.query(`DROP TABLE projection_checkpoints`);
    await q.query(`DROP TABLE posts`);
    await q.query(`DROP TABLE users`);
    await q.query(`DROP TABLE events`);
    await q.query(`DROP SEQUENCE events_seq`);
  }
}
