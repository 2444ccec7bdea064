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
    await q.query(`
      CREATE FUNCTION herald_webhook_endpoints_deleted() RETURNS trigger
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
      BEGIN
        DELETE FROM webhook_deliveries d USING gone g WHERE d.tenant = g.tenant AND d.endpoint_id = g.id;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER webhook_endpoints_deleted AFTER DELETE ON webhook_endpoints
        REFERENCING OLD TABLE AS gone FOR EACH STATEMENT
        EXECUTE FUNCTION herald_webhook_endpoints_deleted()`);
    await q.query(`
      CREATE FUNCTION herald_webhook_messages_deleted() RETURNS trigger
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
      BEGIN
        DELETE FROM webhook_deliveries d USING gone g WHERE d.event_id = g.event_id AND d.tenant = g.tenant;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER webhook_messages_deleted AFTER DELETE ON webhook_messages
        REFERENCING OLD TABLE AS gone FOR EACH STATEMENT
        EXECUTE FUNCTION herald_webhook_messages_deleted()`);
    await q.query(`
      CREATE FUNCTION herald_webhook_deliveries_deleted() RETURNS trigger
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
      BEGIN
        DELETE FROM webhook_attempts a USING gone g WHERE a.delivery_id = g.id;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER webhook_deliveries_deleted AFTER DELETE ON webhook_deliveries
        REFERENCING OLD TABLE AS gone FOR EACH STATEMENT
        EXECUTE FUNCTION herald_webhook_deliveries_deleted()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER webhook_deliveries_deleted ON webhook_deliveries`);
    await q.query(`DROP TRIGGER webhook_messages_deleted ON webhook_messages`);
    await q.query(`DROP TRIGGER webhook_endpoints_deleted ON webhook_endpoints`);
    await q.query(`DROP FUNCTION herald_webhook_deliveries_deleted()`);
    await q.query(`DROP FUNCTION herald_webhook_messages_deleted()`);
    await q.query(`DROP FUNCTION herald_webhook_endpoints_deleted()`);
    await q.query(`
      ALTER TABLE webhook_deliveries
        ADD FOREIGN KEY (endpoint_id) REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
        ADD FOREIGN KEY (tenant, event_id) REFERENCES webhook_messages (tenant, event_id) ON DELETE CASCADE`);
    await q.query(`
      ALTER TABLE webhook_attempts
        ADD FOREIGN KEY (delivery_id) REFERENCES webhook_deliveries (id) ON DELETE CASCADE`);
  }
}
