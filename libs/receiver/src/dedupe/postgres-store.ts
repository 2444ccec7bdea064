/**
 * A DedupeStore in a Postgres table, shared by every instance of the receiver. The claim is
 * one `INSERT … ON CONFLICT` statement: concurrent claims of one id serialise on its
 * primary key and exactly one inserts (or takes over a lapsed claim).
 *
 * Takes any client with pg's `query(text, values)` (a `pg.Pool`, a `pg.Client`); this
 * package depends on no driver.
 */
import { ClaimResult, DedupeStore, DEFAULT_RETENTION_MS } from './dedupe-store';

export interface PgQueryable {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

export const DEFAULT_PG_TABLE = 'herald_webhook_events';

/** The table the store uses; run it once (a migration) or call `PostgresDedupeStore#createTable`. */
export function postgresDedupeTableSql(table = DEFAULT_PG_TABLE): string {
  const t = identifier(table);
  return `CREATE TABLE IF NOT EXISTS ${t} (
  event_id   text PRIMARY KEY,
  state      text NOT NULL CHECK (state IN ('processing', 'done')),
  expires_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS ${identifier(`${table}_expires_at_idx`)} ON ${t} (expires_at);`;
}

export class PostgresDedupeStore implements DedupeStore {
  private readonly table: string;
  private readonly retentionMs: number;

  constructor(
    private readonly db: PgQueryable,
    opts: { table?: string; retentionMs?: number } = {},
  ) {
    this.table = identifier(opts.table ?? DEFAULT_PG_TABLE);
    this.retentionMs = opts.retentionMs ?? DEFAULT_RETENTION_MS;
  }

  /** Creates the table and its index if they do not exist. */
  async createTable(): Promise<void> {
    await this.db.query(postgresDedupeTableSql(this.table.slice(1, -1)));
  }

  async claim(eventId: string, ttlMs: number): Promise<ClaimResult> {
    // A concurrent release can remove the row between the INSERT and the SELECT: try again.
    for (let attempt = 0; attempt < 3; attempt++) {
      const inserted = await this.db.query(
        `INSERT INTO ${this.table} AS e (event_id, state, expires_at)
         VALUES ($1, 'processing', now() + $2 * interval '1 millisecond')
         ON CONFLICT (event_id) DO UPDATE SET state = 'processing', expires_at = EXCLUDED.expires_at
          WHERE e.expires_at <= now()
         RETURNING event_id`,
        [eventId, Math.max(1, Math.round(ttlMs))],
      );
      if (inserted.rows.length === 1) return 'claimed';
      const { rows } = await this.db.query(
        `SELECT state FROM ${this.table} WHERE event_id = $1 AND expires_at > now()`,
        [eventId],
      );
      const state = (rows[0] as { state?: string } | undefined)?.state;
      if (state === 'done') return 'duplicate';
      if (state === 'processing') return 'in_progress';
    }
    return 'in_progress';
  }

  async complete(eventId: string): Promise<void> {
    await this.db.query(
      `INSERT INTO ${this.table} (event_id, state, expires_at)
       VALUES ($1, 'done', now() + $2 * interval '1 millisecond')
       ON CONFLICT (event_id) DO UPDATE SET state = 'done', expires_at = EXCLUDED.expires_at`,
      [eventId, this.retentionMs],
    );
  }

  async release(eventId: string): Promise<void> {
    await this.db.query(`DELETE FROM ${this.table} WHERE event_id = $1 AND state = 'processing'`, [eventId]);
  }

  /** Deletes expired rows; run it now and then (a daily job is plenty). Returns how many went. */
  async prune(): Promise<number> {
    const { rows } = await this.db.query(
      `WITH gone AS (DELETE FROM ${this.table} WHERE expires_at <= now() RETURNING 1) SELECT count(*)::int AS n FROM gone`,
    );
    return (rows[0] as { n: number } | undefined)?.n ?? 0;
  }
}

function identifier(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name))
    throw new Error(`table name must be a plain lower-case identifier: ${name}`);
  return `"${name}"`;
}
