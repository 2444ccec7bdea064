/**
 * One read statement in a tenant scope, in one round trip to Postgres. It gives the
 * guarantees of `withTenant` — the statement runs as `herald_app` (on the tenant pool when
 * one is bound) with `herald.tenant` set for its transaction only, so row-level security
 * admits that tenant's rows and nothing else, and nothing outlives the statement on the
 * pooled connection — without the round trips of an explicit transaction (BEGIN, scope,
 * statement, COMMIT), which bound the public list routes' throughput.
 *
 * How: the scope statement and the read are pipelined in the extended protocol —
 * Parse/Bind/Describe/Execute of each, then a single Sync, in one write. Everything
 * before a Sync runs in one implicit transaction, which the Sync ends, so the
 * transaction-local settings hold for the read (it is parsed, and its row-security
 * policies applied, after the scope has run) and are gone when it completes. If either
 * statement fails, Postgres skips the rest and rolls back at the Sync.
 *
 * The scope statement is a named prepared statement of each connection, parsed once and
 * then only bound and run (after a failed read on a connection it is made anew). With
 * `prepare`, the read is one too, parsed and planned once, then run from that one generic
 * plan whatever the parameters; only for a fixed SQL text (values in parameters) whose
 * plan suits every parameter value.
 *
 * For one read-only statement. Anything that writes or reads more than once uses
 * `withTenant`.
 *
 * The pipelining overrides pg's private `Query.prepare`, so it runs only at the pg
 * version it was written for and with fast paths on (fast-paths/fast-paths.ts);
 * otherwise the read runs in an explicit transaction through pg's public API (BEGIN,
 * scope, the read in the extended protocol, COMMIT): the same rows and guarantees, three
 * more round trips.
 */
import { Connection, Query } from 'pg';
import type { DataSource } from 'typeorm';
import { preparedStatementName } from '../database/prepared';
import { fastPaths } from '../fast-paths/fast-paths';
import { tenantDataSource } from './tenant-pool';
import { InvalidTenantError, TENANT_SCOPE_SQL, TENANT_SLUG } from './tenant-scope';

// A prepared read is planned once: left to itself Postgres keeps re-planning whenever a
// custom plan looks cheaper, which is most of the cost of a small read.
const PREPARED_SCOPE_SQL = `${TENANT_SCOPE_SQL}, set_config('plan_cache_mode', 'force_generic_plan', true)`;

/**
 * The scope statements, named prepared statements of each connection: parsed once, then
 * only bound and run, where an unnamed statement would be parsed and planned per read.
 */
const SCOPE = { name: 'herald_tenant_scope', text: TENANT_SCOPE_SQL };
const PREPARED_SCOPE = { name: 'herald_tenant_scope_generic', text: PREPARED_SCOPE_SQL };

/**
 * What each connection holds of the scope statements: 'parsed' once sent (Postgres runs a
 * batch's messages in order, and a prepared statement outlives the transaction it was
 * made in), 'unsure' after a read on the connection failed.
 */
type ScopeState = 'parsed' | 'unsure';
const scopeStatements = new WeakMap<Connection, Map<string, ScopeState>>();

function scopesOf(connection: Connection): Map<string, ScopeState> {
  let state = scopeStatements.get(connection);
  if (!state) scopeStatements.set(connection, (state = new Map<string, ScopeState>()));
  return state;
}

interface QueryInternals {
  prepare(connection: Connection): void;
}
// pg sends an extended-protocol query from prepare(), inside its cork/uncork of the socket.
const basePrepare = (Query.prototype as unknown as QueryInternals).prepare;

// pg hands the results of several statements to the callback as an array.
type Done = (err: Error | undefined, results: unknown) => void;

class TenantScopedQuery extends Query {
  constructor(
    private readonly tenant: string,
    text: string,
    values: unknown[],
    private readonly prepared: string | undefined,
    done: Done,
  ) {
    super({ text, values, name: prepared }, done);
  }

  // Always the extended protocol: the simple one would send the read without its scope.
  requiresPreparation(): boolean {
    return true;
  }

  prepare(connection: Connection): void {
    const scope = this.prepared ? PREPARED_SCOPE : SCOPE;
    const state = scopesOf(connection);
    const known = state.get(scope.name);
    if (known !== 'parsed') {
      // Unsure after a failure: whatever the server holds under the name is closed first
      // (closing a name it does not hold is no error).
      if (known === 'unsure') connection.close({ type: 'S', name: scope.name }, false);
      connection.parse({ text: scope.text, name: scope.name, types: [] }, false);
      state.set(scope.name, 'parsed');
    }
    connection.bind({ portal: '', statement: scope.name, values: [this.tenant] }, false);
    connection.describe({ type: 'P', name: '' }, false);
    connection.execute({ portal: '' }, false);
    // The read follows with its own Parse/Bind/Describe/Execute and the one Sync.
    basePrepare.call(this, connection);
  }
}

interface PgClient {
  query(q: Query): unknown;
  connection?: Connection;
}

/** After a failed read the scope statements are parsed again (closed first) on that connection. */
function markUnsure(client: PgClient): void {
  const state = client.connection ? scopeStatements.get(client.connection) : undefined;
  if (state) for (const name of state.keys()) state.set(name, 'unsure');
}

export interface TenantReadOptions {
  prepare?: boolean;
}

export async function readAsTenant<R>(
  ds: DataSource,
  tenant: string,
  sql: string,
  params: readonly unknown[],
  opts: TenantReadOptions = {},
): Promise<R[]> {
  if (!TENANT_SLUG.test(tenant)) throw new InvalidTenantError(tenant);
  const name = opts.prepare ? preparedStatementName(sql) : undefined;
  if (!fastPaths().pg) return readInTransaction<R>(ds, tenant, sql, params, name);
  const runner = tenantDataSource(ds).createQueryRunner('master');
  try {
    const client = (await runner.connect()) as PgClient;
    return await new Promise<R[]>((resolve, reject) => {
      client.query(
        new TenantScopedQuery(tenant, sql, [...params], name, (err, results) => {
          if (err) {
            markUnsure(client);
            return reject(err);
          }
          const rows = rowsOfRead<R>(results);
          if (!rows) return reject(new Error('tenant-scoped read did not run as one scope + one statement'));
          resolve(rows);
        }),
      );
    });
  } finally {
    await runner.release();
  }
}

interface PlainPgClient {
  query(text: string, values?: unknown[]): Promise<unknown>;
  query(config: {
    text: string;
    values: unknown[];
    name?: string;
    queryMode: 'extended';
  }): Promise<{ rows: unknown[] }>;
}

/** The plain path: the same scope and read, each its own round trip, in one transaction. */
async function readInTransaction<R>(
  ds: DataSource,
  tenant: string,
  sql: string,
  params: readonly unknown[],
  name: string | undefined,
): Promise<R[]> {
  const runner = tenantDataSource(ds).createQueryRunner('master');
  try {
    const client = (await runner.connect()) as PlainPgClient;
    await client.query('BEGIN');
    try {
      await client.query(name ? PREPARED_SCOPE_SQL : TENANT_SCOPE_SQL, [tenant]);
      // Extended protocol whatever the parameters: one statement, never a script.
      const read = await client.query({ text: sql, values: [...params], name, queryMode: 'extended' });
      await client.query('COMMIT');
      return read.rows as R[];
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  } finally {
    await runner.release();
  }
}

/**
 * The read's rows, when there are exactly two results, the scope's then the read's;
 * anything else means the read did not run in its scope, and its rows are not handed out.
 */
function rowsOfRead<R>(results: unknown): R[] | undefined {
  if (!Array.isArray(results) || results.length !== 2) return undefined;
  const read: unknown = results[1];
  const rows = typeof read === 'object' && read !== null ? (read as { rows?: unknown }).rows : undefined;
  return Array.isArray(rows) ? (rows as R[]) : undefined;
}
