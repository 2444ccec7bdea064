/**
 * Each `events` row carries its public JSON up to `data` — `{"id":…,"type":…,
 * "created_at":…,"data":` — as a stored generated column, so a page of the events feed
 * is that prefix, `data` as stored and `}` per row, concatenated: no per-row quoting and
 * time formatting on every read (it was about a third of a page's cost in Postgres).
 *
 * Generated, so every writer (the projector, a rebuild, a hand-written fixture) gets it
 * without knowing of it, and it cannot drift from the row. A generated column may only
 * call immutable functions; to_json(text) and to_char(timestamp, …) are declared stable
 * because some of their inputs and formats depend on settings, but not the ones used
 * here (a text value; numeric fields of a timestamp already in UTC), so the wrapper is
 * declared immutable. Adding the column rewrites the table once.
 */
import { MigrationInterface, QueryRunner } from 'typeorm';

export class EventItemPrefix1765008000000 implements MigrationInterface {
  name = 'EventItemPrefix1765008000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION herald_event_item_prefix(id text, type text, created_at timestamptz) RETURNS text
      LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$
        SELECT '{"id":' || to_json(id)::text || ',"type":' || to_json(type)::text || ',"created_at":"'
               || to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || '","data":'
      $$`);
    await q.query(`GRANT EXECUTE ON FUNCTION herald_event_item_prefix(text, text, timestamptz) TO PUBLIC`);
    await q.query(`
      ALTER TABLE events ADD COLUMN item_prefix text NOT NULL
        GENERATED ALWAYS AS (herald_event_item_prefix(id, type, created_at)) STORED`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE events DROP COLUMN item_prefix`);
    await q.query(`DROP FUNCTION herald_event_item_prefix(text, text, timestamptz)`);
  }
}
