/**
 * Every committed change to a read model (events, users, posts) is announced on the
 * `herald_read_models` channel with the tenants it touched, comma-separated, or `*` when
 * a table was truncated (a rebuild) or too many tenants changed at once to list. The
 * gateway keeps rendered public reads in memory and drops a tenant's when it hears of
 * it (libs/access/src/read-cache). Triggers are per statement, so the projector's batch
 * writes cost one notification each, whatever their size; NOTIFY is delivered at commit.
 */
import { MigrationInterface, QueryRunner } from 'typeorm';

const TABLES = ['events', 'users', 'posts'] as const;
/** Trigger name part, statement, and the transition table holding the changed rows. */
const CHANGES = [
  ['inserted', 'INSERT', 'NEW'],
  ['updated', 'UPDATE', 'NEW'],
  ['deleted', 'DELETE', 'OLD'],
] as const;

export class ReadModelNotifications1764331200000 implements MigrationInterface {
  name = 'ReadModelNotifications1764331200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION herald_read_models_notify() RETURNS trigger
      LANGUAGE plpgsql AS $$
      DECLARE
        tenants text;
      BEGIN
        IF TG_OP = 'TRUNCATE' THEN
          tenants := '*';
        ELSE
          SELECT string_agg(DISTINCT tenant, ',') INTO tenants FROM changed_rows;
          IF tenants IS NULL THEN
            RETURN NULL;
          END IF;
          -- A notification carries at most 8000 bytes.
          IF length(tenants) > 7000 THEN
            tenants := '*';
          END IF;
        END IF;
        PERFORM pg_notify('herald_read_models', tenants);
        RETURN NULL;
      END $$`);
    for (const table of TABLES) {
      // A trigger with a transition table fires on one kind of statement only.
      for (const [what, event, rows] of CHANGES) {
        await q.query(`
          CREATE TRIGGER ${table}_${what}_notify AFTER ${event} ON ${table}
            REFERENCING ${rows} TABLE AS changed_rows FOR EACH STATEMENT
            EXECUTE FUNCTION herald_read_models_notify()`);
      }
      await q.query(`
        CREATE TRIGGER ${table}_truncated_notify AFTER TRUNCATE ON ${table}
          FOR EACH STATEMENT EXECUTE FUNCTION herald_read_models_notify()`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of TABLES) {
      for (const what of [...CHANGES.map(([w]) => w), 'truncated']) {
        await q.query(`DROP TRIGGER ${table}_${what}_notify ON ${table}`);
      }
    }
    await q.query(`DROP FUNCTION herald_read_models_notify()`);
  }
}
