/**
 * Deletes expired OAuth access tokens. A client's expired tokens also go when it asks for
 * a new one or is revoked, but a client that stops asking would leave them forever. Every
 * gateway sweeps on an interval, in bounded batches so no statement holds many row locks
 * for long; rows another gateway is deleting at the same moment are skipped, not waited on.
 * Runs on the system login, across tenants.
 */
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';

/** Tokens this long expired are deleted (an expired token is refused either way). */
export const EXPIRED_TOKEN_RETENTION = `interval '1 hour'`;
const BATCH_SIZE = 1000;
/** A sweep stops after this many full batches; the next one carries on. */
const MAX_BATCHES_PER_SWEEP = 20;

export class ExpiredTokenSweeper {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> = Promise.resolve();
  private stopping = false;

  constructor(
    private readonly ds: DataSource,
    private readonly logger: Logger,
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

  /** One sweep, after any under way; resolves with how many tokens it deleted. */
  sweep(): Promise<number> {
    const run = this.sweeping.then(() => this.deleteExpired());
    this.sweeping = run.then(() => undefined);
    return run;
  }

  private async deleteExpired(): Promise<number> {
    let deleted = 0;
    try {
      for (let batch = 0; batch < MAX_BATCHES_PER_SWEEP && this.ds.isInitialized; batch++) {
        const [row]: Array<{ n: number }> = await this.ds.query(
          `WITH gone AS (
             DELETE FROM oauth_tokens WHERE token_hash IN (
               SELECT token_hash FROM oauth_tokens
               WHERE expires_at < now() - ${EXPIRED_TOKEN_RETENTION}
               LIMIT $1 FOR UPDATE SKIP LOCKED)
             RETURNING 1)
           SELECT count(*)::int AS n FROM gone`,
          [this.batchSize],
        );
        const n = row?.n ?? 0;
        deleted += n;
        if (n < this.batchSize || this.stopping) break;
      }
    } catch (err) {
      this.logger.warn({ err }, 'expired OAuth tokens could not be deleted; will retry');
    }
    return deleted;
  }
}
