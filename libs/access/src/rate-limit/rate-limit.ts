/**
 * Per-key limits: requests per minute (fixed one-minute windows) and an optional daily
 * quota (UTC days). A refused request does not count. The decision carries what the
 * RateLimit-* headers report: the policy closest to exhaustion.
 */
export interface RateLimits {
  perMinute: number;
  daily: number | null;
}

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the reported window resets. */
  resetSeconds: number;
  /** Seconds until a refused request may succeed (0 when allowed). */
  retryAfterSeconds: number;
}

export interface RateLimiter {
  consume(keyId: string, limits: RateLimits, now?: number): Promise<RateDecision>;
}

export const RATE_LIMITER = Symbol('RATE_LIMITER');

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;

export interface Windows {
  minute: number;
  day: number;
  minuteResetMs: number;
  dayResetMs: number;
}

export function windowsAt(now: number): Windows {
  const minute = Math.floor(now / MINUTE_MS);
  const day = Math.floor(now / DAY_MS);
  return {
    minute,
    day,
    minuteResetMs: (minute + 1) * MINUTE_MS - now,
    dayResetMs: (day + 1) * DAY_MS - now,
  };
}

/**
 * `minuteCount`/`dayCount` are the window counts after this request when it was
 * allowed, and as found when it was refused.
 */
export function decide(
  allowed: boolean,
  minuteCount: number,
  dayCount: number,
  limits: RateLimits,
  w: Windows,
): RateDecision {
  const minute = {
    limit: limits.perMinute,
    remaining: Math.max(0, limits.perMinute - minuteCount),
    resetSeconds: seconds(w.minuteResetMs),
  };
  const day =
    limits.daily === null
      ? undefined
      : {
          limit: limits.daily,
          remaining: Math.max(0, limits.daily - dayCount),
          resetSeconds: seconds(w.dayResetMs),
        };
  if (allowed) {
    const shown = day && day.remaining < minute.remaining ? day : minute;
    return { allowed, ...shown, retryAfterSeconds: 0 };
  }
  // Refused: report the exhausted policy that frees up last.
  const shown = day && day.remaining === 0 ? day : minute;
  return { allowed, ...shown, remaining: 0, retryAfterSeconds: shown.resetSeconds };
}

function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
