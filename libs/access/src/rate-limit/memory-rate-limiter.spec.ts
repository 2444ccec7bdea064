import { MemoryRateLimiter, QuotaDayStore } from './memory-rate-limiter';
import type { RateSubject } from './rate-limit';

const s = (id: string): RateSubject => ({ tenant: 'acme', id });

// 2026-05-28T12:00:10Z: 50 s left in the minute, 43,190 s left in the UTC day.
const T0 = Date.UTC(2026, 4, 28, 12, 0, 10);

describe('MemoryRateLimiter', () => {
  it('counts per key per minute and refuses without counting the refusal', () => {
    const rl = new MemoryRateLimiter();
    const limits = { perMinute: 2, daily: null };
    expect(rl.consumeSync(s('k1'), limits, T0)).toEqual({
      allowed: true,
      limit: 2,
      remaining: 1,
      resetSeconds: 50,
      retryAfterSeconds: 0,
      refusedBy: null,
      resetAt: T0 + 50_000,
    });
    expect(rl.consumeSync(s('k1'), limits, T0 + 1000).remaining).toBe(0);
    expect(rl.consumeSync(s('k1'), limits, T0 + 2000)).toEqual({
      allowed: false,
      limit: 2,
      remaining: 0,
      resetSeconds: 48,
      retryAfterSeconds: 48,
      refusedBy: 'minute',
      resetAt: T0 + 50_000,
    });
    expect(rl.consumeSync(s('k2'), limits, T0 + 2000).allowed).toBe(true);
    // The next minute starts afresh.
    expect(rl.consumeSync(s('k1'), limits, T0 + 50_000)).toMatchObject({
      allowed: true,
      remaining: 1,
      resetSeconds: 60,
    });
  });

  it('enforces the daily quota across minutes and reports it when it is the tighter policy', () => {
    const rl = new MemoryRateLimiter();
    const limits = { perMinute: 100, daily: 3 };
    expect(rl.consumeSync(s('k'), limits, T0)).toMatchObject({
      limit: 3,
      remaining: 2,
      resetSeconds: 43_190,
    });
    rl.consumeSync(s('k'), limits, T0 + 60_000);
    rl.consumeSync(s('k'), limits, T0 + 120_000);
    expect(rl.consumeSync(s('k'), limits, T0 + 180_000)).toEqual({
      allowed: false,
      limit: 3,
      remaining: 0,
      resetSeconds: 43_010,
      retryAfterSeconds: 43_010,
      refusedBy: 'day',
      resetAt: Date.UTC(2026, 4, 29),
    });
    // A new UTC day.
    expect(rl.consumeSync(s('k'), limits, Date.UTC(2026, 4, 29, 0, 0, 1)).allowed).toBe(true);
  });

  it('reports the minute window while it is closer to exhaustion than the day', () => {
    const rl = new MemoryRateLimiter();
    expect(rl.consumeSync(s('k'), { perMinute: 5, daily: 1000 }, T0)).toMatchObject({
      limit: 5,
      remaining: 4,
    });
  });

  it('never reports a reset of 0 seconds', () => {
    const rl = new MemoryRateLimiter();
    expect(
      rl.consumeSync(s('k'), { perMinute: 5, daily: null }, Date.UTC(2026, 4, 28, 12, 0, 59, 999))
        .resetSeconds,
    ).toBe(1);
  });

  it('refuses with the day when both the minute and the day are used up', () => {
    const rl = new MemoryRateLimiter();
    const limits = { perMinute: 1, daily: 1 };
    rl.consumeSync(s('k'), limits, T0);
    expect(rl.consumeSync(s('k'), limits, T0 + 1)).toMatchObject({ allowed: false, refusedBy: 'day' });
  });

  describe('with a quota-day store', () => {
    class FakeStore implements QuotaDayStore {
      readonly used = new Map<string, number>();
      loads = 0;
      failNext = false;
      release: (() => void) | undefined;
      async load(subject: RateSubject, day: number): Promise<number> {
        this.loads++;
        if (this.release) await new Promise<void>((r) => (this.release = r));
        if (this.failNext) {
          this.failNext = false;
          throw new Error('database away');
        }
        return this.used.get(`${subject.tenant}/${subject.id}/${day}`) ?? 0;
      }
      add(subject: RateSubject, day: number): void {
        const k = `${subject.tenant}/${subject.id}/${day}`;
        this.used.set(k, (this.used.get(k) ?? 0) + 1);
      }
    }
    const DAY = Math.floor(T0 / 86_400_000);
    const quota = { perMinute: 100, daily: 3 };

    it('a new process continues the day where the store has it', async () => {
      const store = new FakeStore();
      const first = new MemoryRateLimiter(store);
      expect((await first.consume(s('k'), quota, T0)).remaining).toBe(2);
      expect((await first.consume(s('k'), quota, T0 + 1)).remaining).toBe(1);
      expect(store.used.get(`acme/k/${DAY}`)).toBe(2);

      const restarted = new MemoryRateLimiter(store);
      expect((await restarted.consume(s('k'), quota, T0 + 2)).remaining).toBe(0);
      expect(await restarted.consume(s('k'), quota, T0 + 3)).toMatchObject({
        allowed: false,
        refusedBy: 'day',
      });
      expect(store.used.get(`acme/k/${DAY}`)).toBe(3); // the refusal is not counted
      // The next day starts from the store's (empty) count for that day.
      expect((await restarted.consume(s('k'), quota, T0 + 86_400_000)).remaining).toBe(2);
    });

    it('reads the store once per subject and day, shared by concurrent requests', async () => {
      const store = new FakeStore();
      store.used.set(`acme/k/${DAY}`, 1);
      store.release = () => undefined;
      const rl = new MemoryRateLimiter(store);
      const both = Promise.all([rl.consume(s('k'), quota, T0), rl.consume(s('k'), quota, T0)]);
      await Promise.resolve();
      const release = store.release;
      store.release = undefined;
      release();
      const decisions = await both;
      expect(decisions.map((d) => d.allowed)).toEqual([true, true]);
      expect(await rl.consume(s('k'), quota, T0)).toMatchObject({ allowed: false, refusedBy: 'day' });
      expect(store.loads).toBe(1);
    });

    it('counts locally while the store cannot be read, and reads it again later', async () => {
      const store = new FakeStore();
      store.used.set(`acme/k/${DAY}`, 2);
      store.failNext = true;
      const rl = new MemoryRateLimiter(store);
      expect((await rl.consume(s('k'), quota, T0)).allowed).toBe(true); // not refused for the failure
      expect(store.loads).toBe(1);
      await rl.consume(s('k'), quota, T0 + 1000);
      expect(store.loads).toBe(1); // not on every request
      expect(await rl.consume(s('k'), quota, T0 + 6000)).toMatchObject({ allowed: false, refusedBy: 'day' });
      expect(store.loads).toBe(2);
    });

    it('neither reads nor writes the store for subjects without a daily quota', async () => {
      const store = new FakeStore();
      const rl = new MemoryRateLimiter(store);
      await rl.consume(s('k'), { perMinute: 5, daily: null }, T0);
      expect(store.loads).toBe(0);
      expect(store.used.size).toBe(0);
    });
  });
});
