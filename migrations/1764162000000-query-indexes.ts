/**
 * Indexes for the public read routes. `GET /api/v1/events` first walks the page's keys
 * index-only — on (tenant, seq), or (tenant, type, seq) with a type filter — and its time
 * filters are checked on the index entries, so both indexes now carry created_at; a time
 * window is measured on (tenant, created_at), which now carries seq. Each replaces the
 * narrower index of the event pipeline migration, which no query needs any more.
 */
import { MigrationInterface, QueryRunner } from 'typeorm';

const REPLACED: Array<{ old: string; oldDef: string; next: string; nextDef: string }> = [
  {
    old: 'events_tenant_seq',
    oldDef: '(tenant, seq)',
    next: 'events_tenant_seq_created',
    nextDef: '(tenant, seq) INCLUDE (created_at)',
  },
  {
    old: 'events_tenant_type_seq',
    oldDef: '(tenant, type, seq)',
    next: 'events_tenant_type_seq_created',
    nextDef: '(tenant, type, seq) INCLUDE (created_at)',
  },
  {
    old: 'events_tenant_created',
    oldDef: '(tenant, created_at)',
    next: 'events_tenant_created_seq',
    nextDef: '(tenant, created_at) INCLUDE (seq)',
  },
];

export class QueryIndexes1764162000000 implements MigrationInterface {
  name = 'QueryIndexes1764162000000';

  async up(q: QueryRunner): Promise<void> {
    for (const r of REPLACED) {
      await q.query(`CREATE INDEX ${r.next} ON events ${r.nextDef}`);
      await q.query(`DROP INDEX ${r.old}`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const r of [...REPLACED].reverse()) {
      await q.query(`CREATE INDEX ${r.old} ON events ${r.oldDef}`);
      await q.query(`DROP INDEX ${r.next}`);
    }
  }
}
