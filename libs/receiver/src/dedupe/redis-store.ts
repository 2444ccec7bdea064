/**
 * A DedupeStore in Redis, shared by every instance of the receiver. The claim is
 * `SET key processing NX PX ttl`: atomic, so exactly one of concurrent claims gets it.
 *
 * Takes any client with ioredis-style `set(key, value, 'PX', ms, 'NX')`, `get` and `del`
 * (an ioredis `Redis` or `Cluster`); for node-redis wrap it, see the README.
 */
import { ClaimResult, DedupeStore, DEFAULT_RETENTION_MS } from './dedupe-store';

export interface RedisCommands {
  set(key: string, value: string, px: 'PX', ms: number, nx: 'NX'): Promise<string | null>;
  set(key: string, value: string, px: 'PX', ms: number): Promise<string | null>;
  get(key: string): Promise<string | null>;
  del(key: string): Promise<number>;
}

export class RedisDedupeStore implements DedupeStore {
  private readonly prefix: string;
  private readonly retentionMs: number;

  constructor(
    private readonly redis: RedisCommands,
    opts: { prefix?: string; retentionMs?: number } = {},
  ) {
    this.prefix = opts.prefix ?? 'herald:webhook-event:';
    this.retentionMs = opts.retentionMs ?? DEFAULT_RETENTION_MS;
  }

  async claim(eventId: string, ttlMs: number): Promise<ClaimResult> {
    const key = this.prefix + eventId;
    // A concurrent release can delete the key between SET and GET: try again.
    for (let attempt = 0; attempt < 3; attempt++) {
      const set = await this.redis.set(key, 'processing', 'PX', Math.max(1, Math.round(ttlMs)), 'NX');
      if (set === 'OK') return 'claimed';
      const state = await this.redis.get(key);
      if (state === 'done') return 'duplicate';
      if (state === 'processing') return 'in_progress';
    }
    return 'in_progress';
  }

  async complete(eventId: string): Promise<void> {
    await this.redis.set(this.prefix + eventId, 'done', 'PX', this.retentionMs);
  }

  async release(eventId: string): Promise<void> {
    await this.redis.del(this.prefix + eventId);
  }
}
