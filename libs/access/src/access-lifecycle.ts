/**
 * Checks the public routes' declarations at boot, then starts and stops what the access
 * guard relies on outside the request: the key change listener (which also keeps the
 * read cache fresh, and the OAuth tokens' cache), the token endpoint's form parser, the
 * Redis connection when configured, the usage log and its response hook, the daily quota
 * counts' writer, the sweep of expired OAuth tokens, and the read cache's hooks.
 */
import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { HttpAdapterHost, ModuleRef } from '@nestjs/core';
import type { Scope } from '@herald/contracts';
import {
  HERALD_CONFIG,
  HERALD_LOGGER,
  HeraldConfig,
  HeraldMetrics,
  INTERNAL_ERROR,
  sendError,
  systemDatabaseUrl,
} from '@herald/platform';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { PublicRoutes } from './guard/public-routes';
import { AccessGuard } from './guard/access.guard';
import { AccessChangeListener } from './key-cache/access-change-listener';
import { KeyCache } from './key-cache/key-cache';
import { ExpiredTokenSweeper } from './oauth/expired-token-sweeper';
import { acceptTokenRequestForms } from './oauth/oauth-form-body';
import { OAUTH_TOKEN_CACHE } from './oauth/oauth-token-cache';
import { RATE_LIMITER, RateLimiter } from './rate-limit/rate-limit';
import { QuotaDays } from './rate-limit/quota-days';
import { RedisRateLimiter } from './rate-limit/redis-rate-limiter';
import { READ_MODELS_CHANNEL, ReadCache } from './read-cache/read-cache';
import { CachedRoute, serveCachedReads } from './read-cache/read-cache.hooks';
import { usageMarkOf } from './usage/usage-mark';
import { UsageRecorder } from './usage/usage-recorder';

export const USAGE_FLUSH_INTERVAL_MS = 5000;
export const QUOTA_FLUSH_INTERVAL_MS = 1000;
export const TOKEN_SWEEP_INTERVAL_MS = 60_000;

@Injectable()
export class AccessLifecycle implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  private listener: AccessChangeListener | undefined;

  constructor(
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    @Inject(HERALD_LOGGER) private readonly logger: Logger,
    private readonly adapterHost: HttpAdapterHost,
    private readonly cache: KeyCache,
    @Inject(OAUTH_TOKEN_CACHE) private readonly tokenCache: KeyCache,
    private readonly usage: UsageRecorder,
    private readonly quotaDays: QuotaDays,
    private readonly tokenSweeper: ExpiredTokenSweeper,
    @Inject(RATE_LIMITER) private readonly limiter: RateLimiter,
    private readonly routes: PublicRoutes,
    private readonly readCache: ReadCache,
    private readonly guard: AccessGuard,
    private readonly metrics: HeraldMetrics,
    private readonly moduleRef: ModuleRef,
  ) {}

  async onModuleInit(): Promise<void> {
    // Before anything is started: a badly declared public route stops the boot.
    this.routes.assertWellDeclared();
    const logger = this.logger.child({ component: 'access' });
    const databaseUrl = systemDatabaseUrl(this.config);
    if (databaseUrl) {
      this.listener = new AccessChangeListener({
        databaseUrl,
        onChange: (payload) => {
          this.cache.invalidate(payload);
          this.tokenCache.invalidate(payload);
        },
        onTrust: (trusted) => {
          this.cache.setTrusted(trusted);
          this.tokenCache.setTrusted(trusted);
          this.readCache.setTrusted(trusted);
        },
        channels: { [READ_MODELS_CHANNEL]: (payload) => this.readCache.invalidate(payload) },
        logger,
      });
      await this.listener.start();
    }
    if (this.limiter instanceof RedisRateLimiter) await this.limiter.start();
    this.usage.start(USAGE_FLUSH_INTERVAL_MS);
    if (!(this.limiter instanceof RedisRateLimiter)) this.quotaDays.start(QUOTA_FLUSH_INTERVAL_MS);
    this.tokenSweeper.start(TOKEN_SWEEP_INTERVAL_MS);

    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (fastify) acceptTokenRequestForms(fastify);
    fastify?.addHook('onResponse', (req, reply, done) => {
      const mark = usageMarkOf(req);
      if (mark) this.usage.record(mark.tenant, mark.keyId, reply.statusCode, undefined, mark.kind);
      done();
    });
    if (fastify) {
      const cached = new Map<string, CachedRoute>();
      for (const r of this.routes.all()) {
        if (!r.cached) continue;
        const direct = r.direct && this.moduleRef.get(r.direct, { strict: false });
        cached.set(r.path, { scopes: r.scopes as Scope[], ...(direct ? { direct } : {}) });
      }
      const hits = this.metrics.readCache.labels('hit');
      const misses = this.metrics.readCache.labels('miss');
      serveCachedReads(fastify, {
        count: { hit: () => hits.inc(), miss: () => misses.inc() },
        cache: this.readCache,
        guard: this.guard,
        routes: cached,
        baseDomain: this.config.baseDomain,
        sync: () => this.heardAllChanges(),
        failed: (err, req, reply) => {
          logger.error({ err, reqId: req.id, method: req.method, url: req.url }, 'request failed');
          return sendError(req, reply, INTERNAL_ERROR, `internal error; quote request id ${req.id}`);
        },
      });
    }
  }

  /**
   * True once every key and read-model change committed before the call has been applied to
   * the key and read caches; false while that cannot be known (the listener is down or slow).
   */
  heardAllChanges(): Promise<boolean> {
    return this.listener?.sync() ?? Promise.resolve(false);
  }

  /** Flushes while the database is surely still open. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.tokenSweeper.stop();
    await this.usage.stop();
    await this.quotaDays.stop();
  }

  /** Responses that finished while the server drained; skipped if the pool is already closed. */
  async onApplicationShutdown(): Promise<void> {
    await this.usage.flush();
    await this.quotaDays.flush();
    await this.listener?.stop();
    if (this.limiter instanceof RedisRateLimiter) await this.limiter.stop();
  }
}
