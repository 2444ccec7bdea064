/**
 * Deletes tokens that can no longer be used: expired OAuth access tokens, and admin
 * console sessions that ended (logged out or disabled, idle, or past their absolute end).
 * A client's expired tokens also go when it asks for a new one or is revoked, but a client
 * that stops asking, like an admin who never logs in again, would leave them forever.
 * Every gateway sweeps on an interval, in bounded batches so no statement holds many row
 * locks for long; rows another gateway is deleting at the same moment are skipped, not
 * waited on. Runs on the system login, across tenants.
 */
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';

/** Tokens this long expired are deleted (an expired token is refused either way). */
export const EXPIRED_TOKEN_RETENTION = `interval '1 hour'`;
const BATCH_SIZE = 1000;
/** A sweep stops after this many full batches; the next one carries on. */
const MAX_BATCHES_PER_SWEEP = 20;

/**
 * What one sweep deletes: the rows of `table` matching `ended`, whose $2 is the admin idle
 * timeout (ms) where `idle` says so.
 */
const SWEPT = [
  {
    what: 'OAuth tokens',
    table: 'oauth_tokens',
    idle: false,
    ended: `expires_at < now() - ${EXPIRED_TOKEN_RETENTION}`,
  },
  {
    what: 'admin sessions',
    table: 'admin_sessions',
    idle: true,
    ended: `expires_at < now() - ${EXPIRED_TOKEN_RETENTION}
         OR revoked_at < now() - ${EXPIRED_TOKEN_RETENTION}
         OR last_seen_at < now() - $2::bigint * interval '1 millisecond' - ${EXPIRED_TOKEN_RETENTION}`,
  },
] as const;

export class ExpiredTokenSweeper {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> = Promise.resolve();
  private stopping = false;

  constructor(
    private readonly ds: DataSource,
    private readonly logger: Logger,
    /** How long an admin session may go unused (HERALD_ADMIN_IDLE_TIMEOUT). */
    private readonly adminIdleTimeoutMs: number,
    private readonly batchSize = BATCH_SIZE,
  ) {}

  start(intervalMs: number): void {
    this.stopping = false;
    this.timer = setInterval(() => void this.sweep(), intervalMs);
    this.timer.unref();
  }

  /** Stops the interval and waits for a sweep under way, which ends after its current batch. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.sweeping;
  }

  get running(): boolean {
    return this.timer !== undefined;
  }

  /** One sweep, after any under way; resolves with how many rows it deleted. */
  sweep(): Promise<number> {
    const run = this.sweeping.then(async () => {
      let deleted = 0;
      for (const swept of SWEPT) {
        if (this.stopping) break;
        deleted += await this.deleteEnded(swept);
      }
      return deleted;
    });
    this.sweeping = run.then(() => undefined);
    return run;
  }

  private async deleteEnded(swept: (typeof SWEPT)[number]): Promise<number> {
    let deleted = 0;
    try {
      for (let batch = 0; batch < MAX_BATCHES_PER_SWEEP && this.ds.isInitialized; batch++) {
        const [row]: Array<{ n: number }> = await this.ds.query(
          `WITH gone AS (
             DELETE FROM ${swept.table} WHERE ctid = ANY (ARRAY(
               SELECT ctid FROM ${swept.table}
               WHERE ${swept.ended}
               LIMIT $1 FOR UPDATE SKIP LOCKED))
             RETURNING 1)
           SELECT count(*)::int AS n FROM gone`,
          swept.idle ? [this.batchSize, this.adminIdleTimeoutMs] : [this.batchSize],
        );
        const n = row?.n ?? 0;
        deleted += n;
        if (n < this.batchSize || this.stopping) break;
      }
    } catch (err) {
      this.logger.warn({ err }, `ended ${swept.what} could not be deleted; will retry`);
    }
    return deleted;
  }
}
