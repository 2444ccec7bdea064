/**
 * Rate limits shared through a real Redis: two gateways in this process, one
 * redis-server started here, one budget per key whichever gateway answers, counted
 * atomically under concurrency; and the in-process fallback when Redis goes away.
 */
import { Controller, Get, Module } from '@nestjs/common';
import { PublicApi, RequireScopes, TenantsRepository } from '@herald/platform';
import { GatewayModule } from '../../apps/gateway/src/gateway.module';
import { apiRequest, mintTestKey } from '../support/api-keys';
import { startTestApp, TestApp } from '../support/app';
import { uniqueName } from '../support/infra';
import { RunningRedis, startRedisServer } from '../support/redis-server';

@PublicApi()
@Controller('api/v1/redis-probe')
class RedisProbeController {
  @Get()
  @RequireScopes('events:read')
  probe(): string {
    return 'ok';
  }
}

@Module({ controllers: [RedisProbeController] })
class RedisProbeModule {}

async function awayFromMinuteEdge(): Promise<void> {
  const intoMinute = Date.now() % 60_000;
  if (intoMinute > 50_000) await new Promise((r) => setTimeout(r, 60_000 - intoMinute + 100));
}

describe('rate limits in Redis', () => {
  let redis: RunningRedis;
  let one: TestApp;
  let two: TestApp;
  const tenant = uniqueName('redis');
  const call = (app: TestApp, key: string) => apiRequest(app.baseUrl, '/api/v1/redis-probe', { tenant, key });

  beforeAll(async () => {
    redis = await startRedisServer();
    one = await startTestApp([GatewayModule, RedisProbeModule], { redisUrl: redis.url });
    two = await startTestApp([GatewayModule, RedisProbeModule], { redisUrl: redis.url });
    await new TenantsRepository(one.ds).create(tenant);
  });
  afterAll(async () => {
    await one?.close();
    await two?.close();
    await redis?.stop();
  });

  it('share one budget per key between gateways', async () => {
    await awayFromMinuteEdge();
    const key = await mintTestKey(one.ds, tenant, ['events:read'], { ratePerMinute: 4 });
    const remaining: Array<string | string[] | undefined> = [];
    for (const app of [one, two, one, two]) {
      const res = await call(app, key.key);
      expect(res.status).toBe(200);
      remaining.push(res.headers['ratelimit-remaining']);
    }
    expect(remaining).toEqual(['3', '2', '1', '0']);
    const limited = await call(two, key.key);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await call(one, key.key)).status).toBe(429);
  });

  it('count atomically under concurrent requests on both gateways', async () => {
    await awayFromMinuteEdge();
    const key = await mintTestKey(one.ds, tenant, ['events:read'], { ratePerMinute: 10 });
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => call(i % 2 === 0 ? one : two, key.key)),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20);
  });

  it('share the daily quota', async () => {
    await awayFromMinuteEdge();
    const key = await mintTestKey(one.ds, tenant, ['events:read'], { dailyQuota: 3 });
    expect((await call(one, key.key)).status).toBe(200);
    expect((await call(two, key.key)).status).toBe(200);
    const last = await call(one, key.key);
    expect(last.status).toBe(200);
    expect(last.headers['ratelimit-limit']).toBe('3');
    expect(last.headers['ratelimit-remaining']).toBe('0');
    expect((await call(two, key.key)).status).toBe(429);
  });

  it('fall back to counting in-process when Redis goes away, instead of failing requests', async () => {
    const key = await mintTestKey(one.ds, tenant, ['events:read'], { ratePerMinute: 100 });
    await redis.stop();
    const res = await call(one, key.key);
    expect(res.status).toBe(200);
    expect(res.headers['ratelimit-limit']).toBe('100');
  });
});
