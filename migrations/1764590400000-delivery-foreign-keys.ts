/**
 * The hot delivery tables lose their foreign keys; statement triggers keep the cascades.
 *
 * Every delivery written checked its endpoint and its message, and every attempt its
 * delivery: one lookup and one row lock per row, a fifth of the cost of writing a burst
 * of deliveries. The rows are only ever written by the dispatcher and the delivery
 * workers, which take the endpoint and the message from the database in the same call,
 * so the checks found nothing wrong. What the keys also did, deleting with the parent,
 * is kept by triggers that delete once per statement:
 *
 * - an endpoint deleted (by the API, or with its tenant) takes its deliveries;
 * - a message deleted (with its tenant) takes its deliveries;
 * - a delivery deleted, however, takes its attempts.
 *
 * A delivery written for an endpoint deleted in the same instant is cancelled when its
 * attempt finds no endpoint, as before.
 */
import { MigrationInterface, QueryRunner } from 'typeorm';

const DROPPED = [
  { table: 'webhook_deliveries', references: 'webhook_endpoints' },
  { table: 'webhook_deliveries', references: 'webhook_messages' },
  { table: 'webhook_attempts', references: 'webhook_deliveries' },
];

/** Per parent table: what its trigger (`<parent>_deleted`, function `herald_<parent>_deleted`) deletes for the rows `gone`. */
const CASCADES = [
  {
    parent: 'webhook_endpoints',
    remove:
      'DELETE FROM webhook_deliveries d USING gone g WHERE d.tenant = g.tenant AND d.endpoint_id = g.id',
  },
  {
    parent: 'webhook_messages',
    remove:
      'DELETE FROM webhook_deliveries d USING gone g WHERE d.event_id = g.event_id AND d.tenant = g.tenant',
  },
  {
    parent: 'webhook_deliveries',
    remove: 'DELETE FROM webhook_attempts a USING gone g WHERE a.delivery_id = g.id',
  },
];

export class DeliveryForeignKeys1764590400000 implements MigrationInterface {
  name = 'DeliveryForeignKeys1764590400000';

  async up(q: QueryRunner): Promise<void> {
    for (const { table, references } of DROPPED) {
      const rows = (await q.query(
        `SELECT conname FROM pg_constraint
          WHERE contype = 'f' AND conrelid = $1::regclass AND confrelid = $2::regclass`,
        [table, references],
      )) as Array<{ conname: string }>;
      for (const { conname } of rows) await q.query(`ALTER TABLE ${table} DROP CONSTRAINT "${conname}"`);
    }
    // Run as the schema owner: the API's role may delete an endpoint but not deliveries.
    for (const { parent, remove } of CASCADES) {
      const fn = `herald_${parent}_deleted`;
      await q.query(`
        CREATE FUNCTION ${fn}() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        BEGIN
          ${remove};
          RETURN NULL;
        END $$`);
      await q.query(`
        CREATE TRIGGER ${parent}_deleted AFTER DELETE ON ${parent}
          REFERENCING OLD TABLE AS gone FOR EACH STATEMENT
          EXECUTE FUNCTION ${fn}()`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const { parent } of [...CASCADES].reverse()) {
      await q.query(`DROP TRIGGER ${parent}_deleted ON ${parent}`);
      await q.query(`DROP FUNCTION herald_${parent}_deleted()`);
    }
    await q.query(`
      ALTER TABLE webhook_deliveries
        ADD FOREIGN KEY (endpoint_id) REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
        ADD FOREIGN KEY (tenant, event_id) REFERENCES webhook_messages (tenant, event_id) ON DELETE CASCADE`);
    await q.query(`
      ALTER TABLE webhook_attempts
        ADD FOREIGN KEY (delivery_id) REFERENCES webhook_deliveries (id) ON DELETE CASCADE`);
  }
}
