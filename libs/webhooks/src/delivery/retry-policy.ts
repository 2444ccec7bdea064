/**
 * What an attempt's answer means for its delivery, and when the next attempt happens. A
 * tenant's schedule lists the delay before each attempt (`0, 1m, 5m, …`: attempt 1 at once,
 * attempt 2 a minute after the first failed, …); its length is the number of attempts.
 * Replaying a delivery runs the schedule again on top of the attempts already made, so the
 * step is counted from where that run began.
 */
import type { SendResult } from './webhook-sender';

/** A delay drawn within ±10 % of the nominal one, so retries of a burst spread out. */
export const JITTER = 0.1;
/** The longest wait a receiver may ask for with `Retry-After`. */
export const RETRY_AFTER_CAP_MS = 60 * 60 * 1000;

export function withJitter(delayMs: number, random: () => number = Math.random): number {
  if (delayMs <= 0) return 0;
  return Math.round(delayMs * (1 - JITTER + 2 * JITTER * random()));
}

/**
 * Delay before the next attempt after `attemptsMade` attempts, or null when none is left.
 * `maxAttempts - schedule.length` attempts came before the current run of the schedule.
 */
export function nextDelayMs(
  schedule: readonly number[],
  attemptsMade: number,
  maxAttempts: number,
  random: () => number = Math.random,
): number | null {
  if (attemptsMade >= maxAttempts || schedule.length === 0) return null;
  const step = Math.min(Math.max(attemptsMade - (maxAttempts - schedule.length), 1), schedule.length - 1);
  return withJitter(schedule[step] ?? 0, random);
}

/**
 * `Retry-After` as milliseconds from `now`: delta seconds or an HTTP date; undefined when
 * absent or unreadable. Negative values count as zero.
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** A receiver's `Retry-After` may push the next attempt later than the schedule would, up to a cap, never sooner. */
export function honourRetryAfter(scheduledMs: number, retryAfterMs: number | undefined): number {
  if (retryAfterMs === undefined) return scheduledMs;
  return Math.max(scheduledMs, Math.min(retryAfterMs, RETRY_AFTER_CAP_MS));
}

/** Success is any 2xx; every other status, and no status at all (network, TLS, timeout), fails. */
export function isSuccess(statusCode: number | null): boolean {
  return statusCode !== null && statusCode >= 200 && statusCode < 300;
}

/** What one attempt's answer decides for its delivery. */
export interface AttemptVerdict {
  status: 'succeeded' | 'retrying' | 'dead';
  /** When a `retrying` delivery is due again; null otherwise. */
  nextAttemptAt: Date | null;
  /** The endpoint answered 410 Gone: the delivery is dead and the endpoint is to be disabled. */
  gone: boolean;
  /** The error the attempt log shows: the sender's, or why a redirect counts as a failure. */
  error: string | null;
}

/**
 * Classifies an attempt's answer: a 2xx succeeds; a 410 is dead at once and disables the
 * endpoint; a redirect (never followed) fails with its Location on record; any other
 * failure retries on the schedule, later if a 429/503 asks with `Retry-After`, and is dead
 * once no attempt is left. `attemptsMade` counts this attempt.
 */
export function classifyAttempt(
  answer: Pick<SendResult, 'statusCode' | 'headers' | 'error'>,
  attempts: { made: number; max: number; schedule: readonly number[] },
  now: number,
  random: () => number = Math.random,
): AttemptVerdict {
  const { statusCode } = answer;
  let error = answer.error;
  if (statusCode !== null && statusCode >= 300 && statusCode < 400) {
    const location = header(answer.headers, 'location');
    error = `redirect not followed${location ? ` (Location: ${location.slice(0, 200)})` : ''}`;
  }
  if (isSuccess(statusCode)) return { status: 'succeeded', nextAttemptAt: null, gone: false, error };
  const gone = statusCode === 410;
  const delay = gone ? null : nextDelayMs(attempts.schedule, attempts.made, attempts.max, random);
  if (delay === null) return { status: 'dead', nextAttemptAt: null, gone, error };
  const retryAfter =
    statusCode === 429 || statusCode === 503
      ? parseRetryAfter(header(answer.headers, 'retry-after'), now)
      : undefined;
  return {
    status: 'retrying',
    nextAttemptAt: new Date(now + honourRetryAfter(delay, retryAfter)),
    gone: false,
    error,
  };
}

function header(headers: SendResult['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}
