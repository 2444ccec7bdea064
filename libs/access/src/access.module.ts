/**
 * Access control of the public API: API keys, the tenant/key/scope guard, rate limits, usage;
 * OAuth clients, their token endpoint and tokens; and the admin console's logins and
 * sessions, which the guard also accepts.
 */
import { Module } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { HERALD_CONFIG, HERALD_LOGGER, HeraldConfig } from '@herald/platform';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { AccessLifecycle } from './access-lifecycle';
import { AdminSessionGate } from './admins/admin-session-gate';
import { AdminSessionHttpController } from './admins/admin-session.http.controller';
import { AdminSessions } from './admins/admin-sessions';
import { AdminsRepository } from './admins/admins.repository';
import { AccessGuard } from './guard/access.guard';
import { PublicRoutes } from './guard/public-routes';
import { KeyCache } from './key-cache/key-cache';
import { ReadCache } from './read-cache/read-cache';
import { ApiKeysRepository } from './keys/api-keys.repository';
import { MemoryRateLimiter } from './rate-limit/memory-rate-limiter';
import { RATE_LIMITER, RateLimiter } from './rate-limit/rate-limit';
import { QuotaDays } from './rate-limit/quota-days';
import { RedisRateLimiter } from './rate-limit/redis-rate-limiter';
import { UsageRecorder } from './usage/usage-recorder';
import { ExpiredTokenSweeper } from './oauth/expired-token-sweeper';
import { OAuthClientsRepository } from './oauth/oauth-clients.repository';
import { OAUTH_TOKEN_CACHE } from './oauth/oauth-token-cache';
import { OAuthTokenHttpController } from './oauth/oauth-token.http.controller';

@Module({
  imports: [DiscoveryModule],
  controllers: [AdminSessionHttpController, OAuthTokenHttpController],
  providers: [
    {
      provide: AdminsRepository,
      inject: [DataSource],
      useFactory: (ds: DataSource) => new AdminsRepository(ds),
    },
    {
      provide: AdminSessions,
      inject: [DataSource, HERALD_CONFIG],
      useFactory: (ds: DataSource, config: HeraldConfig) => new AdminSessions(ds, config.adminSessions),
    },
    AdminSessionGate,
    {
      provide: ApiKeysRepository,
      inject: [DataSource],
      useFactory: (ds: DataSource) => new ApiKeysRepository(ds),
    },
    {
      provide: KeyCache,
      inject: [ApiKeysRepository],
      useFactory: (repo: ApiKeysRepository) => new KeyCache((tenant, hash) => repo.findByHash(tenant, hash)),
    },
    {
      provide: QuotaDays,
      inject: [DataSource, HERALD_LOGGER],
      useFactory: (ds: DataSource, logger: Logger) =>
        new QuotaDays(ds, logger.child({ component: 'access' })),
    },
    {
      provide: OAuthClientsRepository,
      inject: [DataSource],
      useFactory: (ds: DataSource) => new OAuthClientsRepository(ds),
    },
    {
      provide: ExpiredTokenSweeper,
      inject: [DataSource, HERALD_LOGGER, HERALD_CONFIG],
      useFactory: (ds: DataSource, logger: Logger, config: HeraldConfig) =>
        new ExpiredTokenSweeper(
          ds,
          logger.child({ component: 'access' }),
          config.adminSessions.idleTimeoutMs,
        ),
    },
    {
      provide: OAUTH_TOKEN_CACHE,
      inject: [OAuthClientsRepository],
      useFactory: (repo: OAuthClientsRepository) =>
        new KeyCache((tenant, hash) => repo.findTokenByHash(tenant, hash)),
    },
    {
      provide: RATE_LIMITER,
      inject: [HERALD_CONFIG, HERALD_LOGGER, QuotaDays],
      useFactory: (config: HeraldConfig, logger: Logger, quotaDays: QuotaDays): RateLimiter =>
        config.redisUrl
          ? new RedisRateLimiter(config.redisUrl, logger.child({ component: 'access' }))
          : new MemoryRateLimiter(quotaDays),
    },
    {
      provide: UsageRecorder,
      inject: [DataSource, HERALD_LOGGER],
      useFactory: (ds: DataSource, logger: Logger) =>
        new UsageRecorder(ds, logger.child({ component: 'access' })),
    },
    {
      provide: ReadCache,
      inject: [HERALD_CONFIG],
      useFactory: (config: HeraldConfig) => new ReadCache(config.readCacheBytes),
    },
    PublicRoutes,
    AccessLifecycle,
    AccessGuard,
    { provide: APP_GUARD, useExisting: AccessGuard },
  ],
  exports: [
    ApiKeysRepository,
    QuotaDays,
    KeyCache,
    OAuthClientsRepository,
    ExpiredTokenSweeper,
    UsageRecorder,
    PublicRoutes,
    ReadCache,
    AdminsRepository,
    AdminSessions,
  ],
})
export class AccessModule {}
