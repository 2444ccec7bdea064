/** A DedupeStore in this process's memory: for one process, tests and development. */
import { ClaimResult, DedupeStore, DEFAULT_RETENTION_MS } from './dedupe-store';

interface Entry {
  state: 'processing' | 'done';
  expiresAt: number;
}

export class MemoryDedupeStore implements DedupeStore {
  private readonly entries = new Map<string, Entry>();
  private readonly retentionMs: number;
  private readonly clock: () => number;

  constructor(opts: { retentionMs?: number; clock?: () => number } = {}) {
    this.retentionMs = opts.retentionMs ?? DEFAULT_RETENTION_MS;
    this.clock = opts.clock ?? Date.now;
  }

  // Synchronous between check and set: no other claim can interleave in one event loop.
  async claim(eventId: string, ttlMs: number): Promise<ClaimResult> {
    const now = this.clock();
    const entry = this.entries.get(eventId);
    if (entry && entry.expiresAt > now) return entry.state === 'done' ? 'duplicate' : 'in_progress';
    this.prune(now);
    this.entries.set(eventId, { state: 'processing', expiresAt: now + ttlMs });
    return 'claimed';
  }

  async complete(eventId: string): Promise<void> {
    this.entries.set(eventId, { state: 'done', expiresAt: this.clock() + this.retentionMs });
  }

  async release(eventId: string): Promise<void> {
    if (this.entries.get(eventId)?.state === 'processing') this.entries.delete(eventId);
  }

  /** Ids currently remembered (processing or done). */
  get size(): number {
    return this.entries.size;
  }

  private prune(now: number): void {
    // Amortised: a sweep at most once per 1,024 entries added.
    if (this.entries.size % 1024 !== 0) return;
    for (const [id, e] of this.entries) if (e.expiresAt <= now) this.entries.delete(id);
  }
}
