/**
 * Login lockout: after LOCK_AFTER consecutive failures an account is locked, first for one
 * minute, then twice as long after each further failure, at most an hour. A successful
 * login resets the count, and so does a day without failures (FAILURE_MEMORY_MS). Emails
 * that no admin has count and lock the same way.
 */
export const LOCK_AFTER = 5;
/** Failures this far apart are not consecutive: the count starts again. */
export const FAILURE_MEMORY_MS = 24 * 60 * 60_000;
const FIRST_LOCK_MS = 60_000;
const MAX_LOCK_MS = 60 * 60_000;

/** How long the account is locked after `failures` consecutive failures (0: not locked). */
export function lockDurationMs(failures: number): number {
  if (failures < LOCK_AFTER) return 0;
  const doublings = Math.min(failures - LOCK_AFTER, 10);
  return Math.min(FIRST_LOCK_MS * 2 ** doublings, MAX_LOCK_MS);
}
