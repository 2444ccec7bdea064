/**
 * Where a receiver remembers which events it processed. Deliveries are at least once, so the
 * same event can arrive again (a retry after a lost answer, a replay) and even concurrently.
 * A store hands out a *claim*: exactly one caller gets `claimed` for an event id, runs the
 * handler, then `complete`s (later arrivals see `duplicate`) or `release`s on failure (the
 * next delivery claims it again). While a claim is held others see `in_progress`.
 */
export type ClaimResult = 'claimed' | 'duplicate' | 'in_progress';

export interface DedupeStore {
  /**
   * Claims `eventId` for `ttlMs`: after that a claim that was neither completed nor released
   * (the process died) lapses and the event can be claimed again. Keep it above the
   * handler's longest run.
   */
  claim(eventId: string, ttlMs: number): Promise<ClaimResult>;
  /** Marks the event processed; it stays a duplicate for the store's retention. */
  complete(eventId: string): Promise<void>;
  /** Gives the claim up so a later delivery processes the event. */
  release(eventId: string): Promise<void>;
}

/** How long a processed event id is remembered unless a store is told otherwise: 7 days. */
export const DEFAULT_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;
