/**
 * Which dead-lettered originals were re-appended to their topic (`herald deadletters
 * redrive`), keyed by where the original was: a second redrive of it appends nothing.
 */
import { MigrationInterface, QueryRunner } from 'typeorm';

export class DeadLetterRedrives1764680400000 implements MigrationInterface {
  name = 'DeadLetterRedrives1764680400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE dead_letter_redrives (
        source_topic text NOT NULL,
        source_partition int NOT NULL,
        source_offset bigint NOT NULL,
        dead_letter_partition int NOT NULL,
        dead_letter_offset bigint NOT NULL,
        redriven_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (source_topic, source_partition, source_offset)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE dead_letter_redrives`);
  }
}
