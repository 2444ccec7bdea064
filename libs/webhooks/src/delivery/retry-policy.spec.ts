import {
  classifyAttempt,
  honourRetryAfter,
  isSuccess,
  nextDelayMs,
  parseRetryAfter,
  RETRY_AFTER_CAP_MS,
  withJitter,
} from './retry-policy';

const MIN = 60_000;
const SCHEDULE = [0, 1 * MIN, 5 * MIN, 30 * MIN, 120 * MIN, 360 * MIN, 1440 * MIN];
const noJitter = () => 0.5;

describe('retry policy', () => {
  it('walks the schedule: the delay after attempt n is the delay before attempt n+1', () => {
    const delays = [1, 2, 3, 4, 5, 6].map((n) => nextDelayMs(SCHEDULE, n, SCHEDULE.length, noJitter));
    expect(delays).toEqual([1 * MIN, 5 * MIN, 30 * MIN, 120 * MIN, 360 * MIN, 1440 * MIN]);
  });

  it('has nothing after the last attempt (the delivery is dead)', () => {
    expect(nextDelayMs(SCHEDULE, 7, 7, noJitter)).toBeNull();
    expect(nextDelayMs([0], 1, 1, noJitter)).toBeNull();
  });

  it('runs the schedule again from its start after a replay', () => {
    // 7 attempts made, replayed: max becomes 14; attempt 8 failed → the delay before attempt 9 is step 1 again.
    expect(nextDelayMs(SCHEDULE, 8, 14, noJitter)).toBe(1 * MIN);
    expect(nextDelayMs(SCHEDULE, 9, 14, noJitter)).toBe(5 * MIN);
  });

  it('jitters within ±10 % and never delays an immediate attempt', () => {
    expect(withJitter(0, () => 1)).toBe(0);
    expect(withJitter(1000, () => 0)).toBe(900);
    expect(withJitter(1000, () => 1)).toBe(1100);
    for (let i = 0; i < 100; i++) {
      const d = withJitter(60_000);
      expect(d).toBeGreaterThanOrEqual(54_000);
      expect(d).toBeLessThanOrEqual(66_000);
    }
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-11-25T12:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Wed, 25 Nov 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 25 Nov 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('lets Retry-After push an attempt later, up to the cap, never sooner', () => {
    expect(honourRetryAfter(60_000, 5_000)).toBe(60_000);
    expect(honourRetryAfter(1_000, 5_000)).toBe(5_000);
    expect(honourRetryAfter(1_000, 10 * RETRY_AFTER_CAP_MS)).toBe(RETRY_AFTER_CAP_MS);
    expect(honourRetryAfter(1_000, undefined)).toBe(1_000);
  });
});

describe('attempt classification', () => {
  const NOW = Date.parse('2026-11-25T12:00:00Z');
  const answer = (
    statusCode: number | null,
    headers: Record<string, string> = {},
    error: string | null = null,
  ) => ({
    statusCode,
    headers,
    error,
  });
  const first = { made: 1, max: SCHEDULE.length, schedule: SCHEDULE };
  const last = { made: SCHEDULE.length, max: SCHEDULE.length, schedule: SCHEDULE };
  const classify = (a: ReturnType<typeof answer>, attempts = first) =>
    classifyAttempt(a, attempts, NOW, noJitter);

  it('counts any 2xx as success, and nothing else', () => {
    expect([200, 204, 299].map(isSuccess)).toEqual([true, true, true]);
    expect([null, 199, 300, 404, 500].map(isSuccess)).toEqual([false, false, false, false, false]);
    expect(classify(answer(204))).toEqual({
      status: 'succeeded',
      nextAttemptAt: null,
      gone: false,
      error: null,
    });
    // Even on the last attempt.
    expect(classify(answer(200), last).status).toBe('succeeded');
  });

  it('retries a failure on the schedule, and is dead once no attempt is left', () => {
    expect(classify(answer(500))).toEqual({
      status: 'retrying',
      nextAttemptAt: new Date(NOW + MIN),
      gone: false,
      error: null,
    });
    expect(classify(answer(500), last)).toEqual({
      status: 'dead',
      nextAttemptAt: null,
      gone: false,
      error: null,
    });
  });

  it('treats a network error like any failure, keeping its error', () => {
    expect(classify(answer(null, {}, 'ECONNREFUSED'))).toMatchObject({
      status: 'retrying',
      nextAttemptAt: new Date(NOW + MIN),
      error: 'ECONNREFUSED',
    });
    expect(classify(answer(null, {}, 'timeout'), last)).toMatchObject({ status: 'dead', error: 'timeout' });
  });

  it('makes a 410 dead at once and marks the endpoint for disabling', () => {
    expect(classify(answer(410))).toEqual({ status: 'dead', nextAttemptAt: null, gone: true, error: null });
  });

  it('fails a redirect, with its Location on record', () => {
    expect(classify(answer(302, { location: 'https://elsewhere.example.com/hook' }))).toMatchObject({
      status: 'retrying',
      error: 'redirect not followed (Location: https://elsewhere.example.com/hook)',
    });
    expect(classify(answer(301)).error).toBe('redirect not followed');
  });

  it('honours Retry-After on 429 and 503 only', () => {
    const later = { 'retry-after': '600' };
    expect(classify(answer(429, later)).nextAttemptAt).toEqual(new Date(NOW + 600_000));
    expect(classify(answer(503, later)).nextAttemptAt).toEqual(new Date(NOW + 600_000));
    expect(classify(answer(500, later)).nextAttemptAt).toEqual(new Date(NOW + MIN));
    // Never sooner than the schedule.
    expect(classify(answer(429, { 'retry-after': '1' })).nextAttemptAt).toEqual(new Date(NOW + MIN));
  });
});
