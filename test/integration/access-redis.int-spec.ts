/**
 * Rate limits shared through a real Redis: two gateways in this process, one
 * redis-server started here, one budget per key whichever gateway answers, counted
 * atomically under concurrency; and the in-process fallback when Redis goes away.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Controller, Get, Module } from '@nestjs/common';
import { freePort, isPortOpen, PublicApi, RequireScopes, TenantsRepository } from '@herald/platform';
import { GatewayModule } from '../../apps/gateway/src/gateway.module';
import { apiRequest, mintTestKey } from '../support/api-keys';
import { startTestApp, TestApp } from '../support/app';
import { uniqueName } from '../support/infra';

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

const INSTALL_HINT =
  'redis-server is required for the shared rate-limit test: install it (Debian/Ubuntu: apt-get install redis-server) or set REDIS_SERVER_BIN';

function redisServerBinary(): string {
  const candidates = [
    process.env.REDIS_SERVER_BIN,
    'redis-server',
    '/usr/bin/redis-server',
    '/usr/local/bin/redis-server',
  ];
  for (const bin of candidates) {
    if (!bin) continue;
    const res = spawnSync(bin, ['--version'], { encoding: 'utf8' });
    if (res.status === 0 && res.stdout.startsWith('Redis server')) return bin;
  }
  throw new Error(INSTALL_HINT);
}

interface RunningRedis {
  url: string;
  stop(): Promise<void>;
}

async function startRedis(): Promise<RunningRedis> {
  const bin = redisServerBinary();
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-redis-'));
  const child: ChildProcess = spawn(
    bin,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const deadline = Date.now() + 10_000;
  while (!(await isPortOpen(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server did not start on port ${port}:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

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
    redis = await startRedis();
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
