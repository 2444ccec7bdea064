/**
 * Counters in this process: right for one gateway. Several gateways each count on
 * their own (use Redis to share), and a restart forgets the day's count.
 */
import { decide, RateDecision, RateLimiter, RateLimits, windowsAt } from './rate-limit';

interface Counter {
  minute: number;
  minuteCount: number;
  day: number;
  dayCount: number;
}

export class MemoryRateLimiter implements RateLimiter {
  private readonly counters = new Map<string, Counter>();
  private lastSweepDay = 0;

  async consume(keyId: string, limits: RateLimits, now = Date.now()): Promise<RateDecision> {
    return this.consumeSync(keyId, limits, now);
  }

  consumeSync(keyId: string, limits: RateLimits, now = Date.now()): RateDecision {
    const w = windowsAt(now);
    this.sweep(w.day);
    let c = this.counters.get(keyId);
    if (!c) {
      c = { minute: w.minute, minuteCount: 0, day: w.day, dayCount: 0 };
      this.counters.set(keyId, c);
    }
    if (c.minute !== w.minute) {
      c.minute = w.minute;
      c.minuteCount = 0;
    }
    if (c.day !== w.day) {
      c.day = w.day;
      c.dayCount = 0;
    }
    const overMinute = c.minuteCount >= limits.perMinute;
    const overDay = limits.daily !== null && c.dayCount >= limits.daily;
    if (overMinute || overDay) return decide(false, c.minuteCount, c.dayCount, limits, w);
    c.minuteCount++;
    c.dayCount++;
    return decide(true, c.minuteCount, c.dayCount, limits, w);
  }

  /** Keys unused since an earlier day hold nothing worth keeping. */
  private sweep(day: number): void {
    if (day === this.lastSweepDay) return;
    this.lastSweepDay = day;
    for (const [id, c] of this.counters) if (c.day < day) this.counters.delete(id);
  }
}
