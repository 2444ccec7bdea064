import { MemoryRateLimiter } from './memory-rate-limiter';

// 2026-05-28T12:00:10Z: 50 s left in the minute, 43,190 s left in the UTC day.
const T0 = Date.UTC(2026, 4, 28, 12, 0, 10);

describe('MemoryRateLimiter', () => {
  it('counts per key per minute and refuses without counting the refusal', () => {
    const rl = new MemoryRateLimiter();
    const limits = { perMinute: 2, daily: null };
    expect(rl.consumeSync('k1', limits, T0)).toEqual({
      allowed: true,
      limit: 2,
      remaining: 1,
      resetSeconds: 50,
      retryAfterSeconds: 0,
    });
    expect(rl.consumeSync('k1', limits, T0 + 1000).remaining).toBe(0);
    expect(rl.consumeSync('k1', limits, T0 + 2000)).toEqual({
      allowed: false,
      limit: 2,
      remaining: 0,
      resetSeconds: 48,
      retryAfterSeconds: 48,
    });
    expect(rl.consumeSync('k2', limits, T0 + 2000).allowed).toBe(true);
    // The next minute starts afresh.
    expect(rl.consumeSync('k1', limits, T0 + 50_000)).toMatchObject({
      allowed: true,
      remaining: 1,
      resetSeconds: 60,
    });
  });

  it('enforces the daily quota across minutes and reports it when it is the tighter policy', () => {
    const rl = new MemoryRateLimiter();
    const limits = { perMinute: 100, daily: 3 };
    expect(rl.consumeSync('k', limits, T0)).toMatchObject({ limit: 3, remaining: 2, resetSeconds: 43_190 });
    rl.consumeSync('k', limits, T0 + 60_000);
    rl.consumeSync('k', limits, T0 + 120_000);
    expect(rl.consumeSync('k', limits, T0 + 180_000)).toEqual({
      allowed: false,
      limit: 3,
      remaining: 0,
      resetSeconds: 43_010,
      retryAfterSeconds: 43_010,
    });
    // A new UTC day.
    expect(rl.consumeSync('k', limits, Date.UTC(2026, 4, 29, 0, 0, 1)).allowed).toBe(true);
  });

  it('reports the minute window while it is closer to exhaustion than the day', () => {
    const rl = new MemoryRateLimiter();
    expect(rl.consumeSync('k', { perMinute: 5, daily: 1000 }, T0)).toMatchObject({ limit: 5, remaining: 4 });
  });

  it('never reports a reset of 0 seconds', () => {
    const rl = new MemoryRateLimiter();
    expect(
      rl.consumeSync('k', { perMinute: 5, daily: null }, Date.UTC(2026, 4, 28, 12, 0, 59, 999)).resetSeconds,
    ).toBe(1);
  });
});
