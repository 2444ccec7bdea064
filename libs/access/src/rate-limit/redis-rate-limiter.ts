/**
 * Counters in Redis, shared by every gateway: one Lua script checks both windows and
 * counts the request atomically. When Redis does not answer, the gateway falls back to
 * its own counters (and says so in the log) rather than refusing all traffic.
 */
import Redis from 'ioredis';
import type { Logger } from 'pino';
import { MemoryRateLimiter } from './memory-rate-limiter';
import {
  decide,
  MINUTE_MS,
  RateDecision,
  RateLimiter,
  RateLimits,
  RateSubject,
  windowsAt,
} from './rate-limit';

// KEYS: minute counter, day counter. ARGV: per-minute limit, minute ttl ms, daily quota (0 = none), day ttl ms.
const CONSUME = `
local limit = tonumber(ARGV[1])
local quota = tonumber(ARGV[3])
local m = tonumber(redis.call('GET', KEYS[1]) or '0')
local d = 0
if quota > 0 then d = tonumber(redis.call('GET', KEYS[2]) or '0') end
if m >= limit or (quota > 0 and d >= quota) then
  return {0, m, d}
end
m = redis.call('INCR', KEYS[1])
if m == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if quota > 0 then
  d = redis.call('INCR', KEYS[2])
  if d == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[4]) end
end
return {1, m, d}
`;

type RedisWithConsume = Redis & {
  heraldConsume(
    minuteKey: string,
    dayKey: string,
    limit: number,
    minuteTtlMs: number,
    quota: number,
    dayTtlMs: number,
  ): Promise<[number, number, number]>;
};

const WARN_EVERY_MS = 30_000;

export class RedisRateLimiter implements RateLimiter {
  private readonly redis: RedisWithConsume;
  private readonly fallback = new MemoryRateLimiter();
  private lastWarnAt = 0;

  constructor(
    url: string,
    private readonly logger: Logger,
    private readonly prefix = 'herald:rl',
  ) {
    const redis = new Redis(url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: 1000,
      enableAutoPipelining: true,
    });
    redis.defineCommand('heraldConsume', { numberOfKeys: 2, lua: CONSUME });
    redis.on('error', (err) => this.warn(err, 'Redis connection error'));
    this.redis = redis as RedisWithConsume;
  }

  /** Connects once at boot; when Redis is not there yet, the client keeps trying. */
  async start(): Promise<void> {
    try {
      await this.redis.connect();
    } catch (err) {
      this.warn(err, 'Redis is not reachable at boot');
    }
  }

  async stop(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  async consume(subject: RateSubject, limits: RateLimits, now = Date.now()): Promise<RateDecision> {
    const w = windowsAt(now);
    // One hash tag per key: both counters live in the same cluster slot.
    const base = `${this.prefix}:{${subject.id}}`;
    try {
      const [allowed, m, d] = await this.redis.heraldConsume(
        `${base}:m:${w.minute}`,
        `${base}:d:${w.day}`,
        limits.perMinute,
        w.minuteResetMs + MINUTE_MS,
        limits.daily ?? 0,
        w.dayResetMs + MINUTE_MS,
      );
      return decide(allowed === 1, m, d, limits, w);
    } catch (err) {
      this.warn(err, 'Redis did not answer; counting in this process');
      return this.fallback.consumeSync(subject, limits, now);
    }
  }

  private warn(err: unknown, msg: string): void {
    const now = Date.now();
    if (now - this.lastWarnAt < WARN_EVERY_MS) return;
    this.lastWarnAt = now;
    this.logger.warn({ err }, `rate limits: ${msg}`);
  }
}
