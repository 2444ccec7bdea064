/**
 * Per-subject limits (a subject is an API key, an OAuth client or an admin session):
 * requests per minute (fixed one-minute windows) and an optional daily quota (UTC days).
 * A refused request does not count. The decision carries what the RateLimit-* headers
 * report: the policy closest to exhaustion, and, when refused, which policy refused.
 */
export interface RateLimits {
  perMinute: number;
  daily: number | null;
}

/** Who is counted: the tenant the subject belongs to, and the subject's id. */
export interface RateSubject {
  tenant: string;
  id: string;
}

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the reported window resets. */
  resetSeconds: number;
  /** Seconds until a refused request may succeed (0 when allowed). */
  retryAfterSeconds: number;
  /** The policy that refused: the per-minute limit or the daily quota (null when allowed). */
  refusedBy: 'minute' | 'day' | null;
  /** When the reported window ends (epoch ms). */
  resetAt: number;
}

export interface RateLimiter {
  consume(subject: RateSubject, limits: RateLimits, now?: number): Promise<RateDecision>;
}

export const RATE_LIMITER = Symbol('RATE_LIMITER');

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;

export interface Windows {
  now: number;
  minute: number;
  day: number;
  minuteResetMs: number;
  dayResetMs: number;
}

export function windowsAt(now: number): Windows {
  const minute = Math.floor(now / MINUTE_MS);
  const day = Math.floor(now / DAY_MS);
  return {
    now,
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
    resetAt: w.now + w.minuteResetMs,
  };
  const day =
    limits.daily === null
      ? undefined
      : {
          limit: limits.daily,
          remaining: Math.max(0, limits.daily - dayCount),
          resetSeconds: seconds(w.dayResetMs),
          resetAt: w.now + w.dayResetMs,
        };
  if (allowed) {
    const shown = day && day.remaining < minute.remaining ? day : minute;
    return { allowed, ...shown, retryAfterSeconds: 0, refusedBy: null };
  }
  // Refused: report the exhausted policy that frees up last.
  const quota = day !== undefined && day.remaining === 0;
  const shown = quota ? day : minute;
  return {
    allowed,
    ...shown,
    remaining: 0,
    retryAfterSeconds: shown.resetSeconds,
    refusedBy: quota ? 'day' : 'minute',
  };
}

function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
