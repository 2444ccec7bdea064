/**
 * The daily quota counts in Postgres (`quota_days`), so a gateway that restarts does not
 * grant the day's quota again. Off the request path: allowed requests add to in-memory
 * counts, written every second (and at shutdown) in one statement; a subject's count is
 * read once per day per process, the first time a quota-limited request of it arrives.
 * A kill -9 forgets at most the last second's counts. Rows of days before yesterday are
 * deleted once a day. Runs on the system login; each row's tenant is the subject's.
 */
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { PeriodicWriter } from '../usage/periodic-writer';
import { DAY_MS, RateSubject } from './rate-limit';
import type { QuotaDayStore } from './memory-rate-limiter';

/** Beyond this many pending rows (a database away for long), new counts are dropped and counted. */
const MAX_PENDING = 100_000;

interface Pending {
  tenant: string;
  subject: string;
  day: number;
  used: number;
}

export class QuotaDays extends PeriodicWriter implements QuotaDayStore {
  private pending = new Map<string, Pending>();
  private dropped = 0;
  private prunedDay = 0;

  constructor(
    private readonly ds: DataSource,
    private readonly logger: Logger,
  ) {
    super();
  }

  async load(subject: RateSubject, day: number): Promise<number> {
    try {
      const rows: { used: string }[] = await this.ds.query(
        `SELECT used FROM quota_days WHERE subject = $1 AND day = $2::date AND tenant = $3`,
        [subject.id, isoDay(day), subject.tenant],
      );
      return Number(rows[0]?.used ?? 0);
    } catch (err) {
      this.logger.warn({ err }, 'daily quota counts could not be read; counting in this process');
      throw err;
    }
  }

  add(subject: RateSubject, day: number): void {
    const id = `${subject.id} ${day}`;
    const p = this.pending.get(id);
    if (p) {
      p.used++;
      return;
    }
    if (this.pending.size >= MAX_PENDING) {
      this.dropped++;
      return;
    }
    this.pending.set(id, { tenant: subject.tenant, subject: subject.id, day, used: 1 });
  }

  protected async writePending(): Promise<void> {
    if (!this.ds.isInitialized) return;
    await this.prune();
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    const rows = [...batch.values()];
    try {
      await this.ds.query(
        `INSERT INTO quota_days (subject, day, tenant, used)
         SELECT u.subject, u.day, u.tenant, u.used
         FROM unnest($1::text[], $2::date[], $3::text[], $4::bigint[]) AS u (subject, day, tenant, used)
         WHERE EXISTS (SELECT 1 FROM tenants t WHERE t.slug = u.tenant)
         ON CONFLICT (subject, day) DO UPDATE SET used = quota_days.used + EXCLUDED.used`,
        [
          rows.map((r) => r.subject),
          rows.map((r) => isoDay(r.day)),
          rows.map((r) => r.tenant),
          rows.map((r) => r.used),
        ],
      );
    } catch (err) {
      for (const [id, r] of batch) this.merge(id, r);
      this.logger.warn({ err, pending: this.pending.size }, 'daily quota counts flush failed; will retry');
      return;
    }
    if (this.dropped > 0) {
      this.logger.warn(
        { dropped: this.dropped },
        'daily quota counts were dropped while the buffer was full',
      );
      this.dropped = 0;
    }
  }

  private async prune(): Promise<void> {
    const today = Math.floor(Date.now() / DAY_MS);
    if (this.prunedDay === today) return;
    try {
      await this.ds.query(`DELETE FROM quota_days WHERE day < $1::date`, [isoDay(today - 1)]);
      this.prunedDay = today;
    } catch (err) {
      this.logger.warn({ err }, 'old daily quota counts could not be deleted; will retry');
    }
  }

  private merge(id: string, r: Pending): void {
    const cur = this.pending.get(id);
    if (!cur) {
      if (this.pending.size < MAX_PENDING) this.pending.set(id, r);
      else this.dropped += r.used;
      return;
    }
    cur.used += r.used;
  }
}

function isoDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}
