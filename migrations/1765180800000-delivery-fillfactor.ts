/**
 * Room in `webhook_deliveries` pages for the updates that move no indexed column. A claim
 * and a lease renewal set only `lease_owner` and `lease_until`, which no index covers, so
 * Postgres can write the new row version into the same page without an entry in any of the
 * table's four indexes (a heap-only tuple), but only if that page has room. With the
 * default fill factor of 100 the pages that inserts fill have none: 10 % of claims were
 * written in place. A claim takes an endpoint's oldest due deliveries, rows inserted side by
 * side, so a page needs room for a new version of nearly every row on it: at a fill factor
 * of 80, 31–40 % were in place; at 50, 96–98 %, and a claimed delivery cost Postgres
 * 33–58 µs of CPU instead of 61–81 (`npm run bench:delivery-store`). Inserts now leave half
 * of each page free. An outcome changes `status` (in the due index's predicate), so it
 * still writes its index entries. Only pages written from now on keep the room; nothing is
 * rewritten.
 */
import { MigrationInterface, QueryRunner } from 'typeorm';

export class DeliveryFillfactor1765180800000 implements MigrationInterface {
  name = 'DeliveryFillfactor1765180800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE webhook_deliveries SET (fillfactor = 50)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE webhook_deliveries RESET (fillfactor)`);
  }
}
