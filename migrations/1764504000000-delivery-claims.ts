/**
 * Due deliveries are found per endpoint. The delivery workers claim what each endpoint's
 * lane has room for, and pass over endpoints whose lanes are full. With the due index
 * ordered by time alone, passing over an endpoint meant reading through every due row it
 * had: one endpoint with a backlog of thousands made every claim read all of them, even a
 * claim that found nothing. Ordered by endpoint, then time, a claim visits each endpoint
 * that has pending deliveries once and reads only the rows it takes.
 */
import { MigrationInterface, QueryRunner } from 'typeorm';

export class DeliveryClaims1764504000000 implements MigrationInterface {
  name = 'DeliveryClaims1764504000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE INDEX webhook_deliveries_due_by_endpoint ON webhook_deliveries (endpoint_id, next_attempt_at)
        WHERE status IN ('pending', 'retrying')`);
    await q.query(`DROP INDEX webhook_deliveries_due`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
        WHERE status IN ('pending', 'retrying')`);
    await q.query(`DROP INDEX webhook_deliveries_due_by_endpoint`);
  }
}
