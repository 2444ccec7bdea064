/**
 * A statement run as a named prepared statement of the connection it lands on: Postgres
 * parses and analyses its text once per connection, not on every call. For the batch
 * statements on the hot paths (the dispatcher's writes, the projector's), which run
 * hundreds of times a second with a few rows each: at that size parsing and planning
 * them cost about as much as running them.
 *
 * Postgres still chooses per call between a plan for the values at hand and the generic
 * plan it keeps (`plan_cache_mode` auto), so a statement whose best plan depends on how
 * many rows it is given stays correct for every size.
 *
 * Only for SQL whose text is fixed (values in parameters): each distinct text is one
 * more statement held by every connection that runs it.
 */
import { createHash } from 'node:crypto';
import { EntityManager, type DataSource, type QueryRunner } from 'typeorm';

interface PgClient {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/**
 * Runs `sql` with `params` on a connection of `db` (a transaction's own, when `db` is the
 * EntityManager of one) and returns the rows it produced: those of a SELECT or of a
 * RETURNING clause, none otherwise.
 */
export async function queryPrepared<R>(
  db: DataSource | EntityManager,
  sql: string,
  params: readonly unknown[],
): Promise<R[]> {
  const config = { name: preparedStatementName(sql), text: sql, values: [...params] };
  const own = db instanceof EntityManager ? db.queryRunner : undefined;
  if (own) return run<R>(own, config);
  const runner = (db instanceof EntityManager ? db.connection : db).createQueryRunner('master');
  try {
    return await run<R>(runner, config);
  } finally {
    await runner.release();
  }
}

async function run<R>(
  runner: QueryRunner,
  config: { name: string; text: string; values: unknown[] },
): Promise<R[]> {
  const client = (await runner.connect()) as PgClient;
  const result = await client.query(config);
  return result.rows as R[];
}

const names = new Map<string, string>();

/** The name of the prepared statement of this SQL text: one per text, the same in every process. */
export function preparedStatementName(sql: string): string {
  let name = names.get(sql);
  if (name === undefined) {
    name = `herald_${createHash('sha256').update(sql).digest('hex').slice(0, 24)}`;
    names.set(sql, name);
  }
  return name;
}
