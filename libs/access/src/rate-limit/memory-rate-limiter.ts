/**
 * Counters in this process: right for one gateway. Several gateways each count on their
 * own (use Redis to share). With a quota-day store, daily quotas survive a restart: the
 * first request of a subject on a day reads what was used so far, and every allowed
 * request is added to the store (which writes in batches).
 */
import { DAY_MS, decide, RateDecision, RateLimiter, RateLimits, RateSubject, windowsAt } from './rate-limit';

/** Where daily quota counts outlive the process. */
export interface QuotaDayStore {
  /** What the subject used on that UTC day (days since the epoch), as last written. */
  load(subject: RateSubject, day: number): Promise<number>;
  /** One more request of the subject on that day; written later, in a batch. */
  add(subject: RateSubject, day: number): void;
}

/** After a failed load, requests count locally and the load is tried again this much later. */
const RELOAD_AFTER_FAILURE_MS = 5000;

interface Counter {
  minute: number;
  minuteCount: number;
  day: number;
  dayCount: number;
  /** The store's count for `day` has been taken in. */
  loaded: boolean;
  loadAgainAt: number;
}

export class MemoryRateLimiter implements RateLimiter {
  private readonly counters = new Map<string, Counter>();
  private readonly loading = new Map<string, Promise<void>>();
  private lastSweepDay = 0;

  constructor(private readonly store?: QuotaDayStore) {}

  async consume(subject: RateSubject, limits: RateLimits, now = Date.now()): Promise<RateDecision> {
    if (this.store && limits.daily !== null) await this.loadDay(this.store, subject, now);
    return this.consumeSync(subject, limits, now);
  }

  consumeSync(subject: RateSubject, limits: RateLimits, now = Date.now()): RateDecision {
    const w = windowsAt(now);
    this.sweep(w.day);
    const c = this.counter(subject.id, w.day);
    if (c.minute !== w.minute) {
      c.minute = w.minute;
      c.minuteCount = 0;
    }
    const overMinute = c.minuteCount >= limits.perMinute;
    const overDay = limits.daily !== null && c.dayCount >= limits.daily;
    if (overMinute || overDay) return decide(false, c.minuteCount, c.dayCount, limits, w);
    c.minuteCount++;
    c.dayCount++;
    if (limits.daily !== null) this.store?.add(subject, w.day);
    return decide(true, c.minuteCount, c.dayCount, limits, w);
  }

  private counter(id: string, day: number): Counter {
    let c = this.counters.get(id);
    if (!c) {
      c = { minute: 0, minuteCount: 0, day, dayCount: 0, loaded: false, loadAgainAt: 0 };
      this.counters.set(id, c);
    } else if (c.day !== day) {
      c.day = day;
      c.dayCount = 0;
      c.loaded = false;
      c.loadAgainAt = 0;
    }
    return c;
  }

  /** Takes in the store's count for the subject's day, once; concurrent requests share the read. */
  private loadDay(store: QuotaDayStore, subject: RateSubject, now: number): Promise<void> | undefined {
    const day = Math.floor(now / DAY_MS);
    const c = this.counter(subject.id, day);
    if (c.loaded || c.loadAgainAt > now) return undefined;
    const id = `${subject.id} ${day}`;
    let pending = this.loading.get(id);
    if (!pending) {
      pending = store.load(subject, day).then(
        (used) => {
          const cur = this.counter(subject.id, day);
          // What this process counted and has not written yet is in dayCount already.
          cur.dayCount = Math.max(cur.dayCount, used);
          cur.loaded = true;
          this.loading.delete(id);
        },
        () => {
          this.counter(subject.id, day).loadAgainAt = now + RELOAD_AFTER_FAILURE_MS;
          this.loading.delete(id);
        },
      );
      this.loading.set(id, pending);
    }
    return pending;
  }

  /** Subjects unused since an earlier day hold nothing worth keeping. */
  private sweep(day: number): void {
    if (day === this.lastSweepDay) return;
    this.lastSweepDay = day;
    for (const [id, c] of this.counters) if (c.day < day) this.counters.delete(id);
  }
}
