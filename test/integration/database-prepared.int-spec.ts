/**
 * `queryPrepared` against real Postgres: a statement is parsed once per connection and
 * then only executed; it runs on a transaction's own connection when given that
 * transaction's manager; it answers the rows of a SELECT or a RETURNING clause; a failure
 * keeps its Postgres code and leaves the pooled connection usable.
 */
import { preparedStatementName, queryPrepared } from '@herald/platform';
import { DataSource } from 'typeorm';
import { testDatabaseUrl, uniqueName } from '../support/infra';

describe('queryPrepared', () => {
  // One connection, so what Postgres holds for "the connection" is what the statements used.
  let single: DataSource;
  const table = `prepared_${uniqueName('t').replace(/[^a-z0-9_]/g, '_')}`;

  beforeAll(async () => {
    single = await new DataSource({
      type: 'postgres',
      url: testDatabaseUrl(),
      extra: { max: 1 },
    }).initialize();
    await single.query(`CREATE TABLE ${table} (id int PRIMARY KEY, label text NOT NULL)`);
  });
  afterAll(async () => {
    await single.query(`DROP TABLE IF EXISTS ${table}`);
    await single.destroy();
  });

  it('parses a statement once per connection and runs it with each call’s values', async () => {
    const insert = `INSERT INTO ${table} (id, label) SELECT * FROM unnest($1::int[], $2::text[]) RETURNING id, label`;
    const select = `SELECT id, label FROM ${table} WHERE id = ANY($1::int[]) ORDER BY id`;
    expect(
      await queryPrepared(single, insert, [
        [1, 2],
        ['one', 'two'],
      ]),
    ).toEqual([
      { id: 1, label: 'one' },
      { id: 2, label: 'two' },
    ]);
    expect(await queryPrepared(single, insert, [[3], ['three']])).toEqual([{ id: 3, label: 'three' }]);
    for (const ids of [[1], [2, 3], [4]]) {
      const rows = await queryPrepared<{ id: number }>(single, select, [ids]);
      expect(rows.map((r) => r.id)).toEqual(ids.filter((id) => id <= 3));
    }
    const held = await single.query<Array<{ name: string; runs: number }>>(
      `SELECT name, (generic_plans + custom_plans)::int AS runs FROM pg_prepared_statements
        WHERE name = ANY($1::text[]) ORDER BY runs`,
      [[preparedStatementName(insert), preparedStatementName(select)]],
    );
    expect(held).toEqual([
      { name: preparedStatementName(insert), runs: 2 },
      { name: preparedStatementName(select), runs: 3 },
    ]);
  });

  it('answers no rows for a statement without RETURNING', async () => {
    expect(await queryPrepared(single, `UPDATE ${table} SET label = label WHERE id = $1`, [1])).toEqual([]);
  });

  it('runs on the transaction’s connection when given its manager, and rolls back with it', async () => {
    const insert = `INSERT INTO ${table} (id, label) VALUES ($1, $2)`;
    const count = `SELECT count(*)::int AS n FROM ${table} WHERE id >= 100`;
    await expect(
      single.transaction(async (em) => {
        await queryPrepared(em, insert, [100, 'in a transaction']);
        // Seen inside: the same connection and transaction.
        expect(await queryPrepared(em, count, [])).toEqual([{ n: 1 }]);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await queryPrepared(single, count, [])).toEqual([{ n: 0 }]);
    // A manager without a transaction borrows a connection like the data source does.
    await queryPrepared(single.manager, insert, [101, 'outside']);
    expect(await queryPrepared(single.manager, count, [])).toEqual([{ n: 1 }]);
  });

  it('fails with the Postgres error code and gives the connection back', async () => {
    const insert = `INSERT INTO ${table} (id, label) VALUES ($1, $2)`;
    await expect(queryPrepared(single, insert, [1, 'again'])).rejects.toMatchObject({ code: '23505' });
    // The only connection of the pool was released: the next statement runs.
    expect(await queryPrepared(single, `SELECT label FROM ${table} WHERE id = $1`, [1])).toEqual([
      { label: 'one' },
    ]);
  });
});
