/**
 * When the next attempt happens. A tenant's schedule lists the delay before each attempt
 * (`0, 1m, 5m, …`: attempt 1 at once, attempt 2 a minute after the first failed, …); its
 * length is the number of attempts. Replaying a delivery runs the schedule again on top
 * of the attempts already made, so the step is counted from where that run began.
 */

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
