/**
 * `herald dev` end to end, as a newcomer runs it: the real binary, real engines,
 * readiness over HTTP, a second terminal finding it through dev.json, clean stop.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from '@herald/platform';
import { freshDatabase, testKafkaBrokers } from '../support/infra';
import {
  cleanEnv,
  processesMentioning,
  runHerald,
  startHerald,
  waitForReady,
} from '../support/herald-process';

function tempDataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-e2e-'));
  fs.chmodSync(dir, 0o755); // like a checkout's .herald/: reachable by the embedded Postgres user
  return dir;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('herald dev', () => {
  it('exits 1 with one clear line on a bad config value', () => {
    const res = runHerald(['dev'], cleanEnv({ PORT: 'abc', HERALD_DATA_DIR: tempDataDir() }));
    expect(res.status).toBe(1);
    expect(res.stderr).toBe(
      'herald: invalid configuration: PORT must be an integer between 1 and 65535 (got "abc")\n',
    );
  });

  it('runs on configured Kafka and Postgres, serves health, and is found by a second terminal', async () => {
    const dataDir = tempDataDir();
    const port = await freePort();
    const env = cleanEnv({
      PORT: String(port),
      HERALD_DATA_DIR: dataDir,
      DATABASE_URL: await freshDatabase(),
      KAFKA_BROKERS: testKafkaBrokers().join(','),
    });
    const herald = startHerald(['dev'], env);
    try {
      await waitForReady(port, herald);

      const ready = await fetch(`http://127.0.0.1:${port}/readyz`, {
        headers: { 'x-request-id': 'probe-1' },
      });
      expect(ready.headers.get('x-request-id')).toBe('probe-1');
      const body = (await ready.json()) as {
        data: { status: string; checks: Record<string, { status: string }> };
        meta: object;
      };
      expect(body.data.status).toBe('ready');
      expect(body.data.checks.postgres?.status).toBe('up');
      expect(body.data.checks.kafka?.status).toBe('up');
      expect(body.meta).toEqual({ request_id: 'probe-1' });

      const live = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(live.status).toBe(200);

      const missing = await fetch(`http://127.0.0.1:${port}/no/such/route`);
      expect(missing.status).toBe(404);
      const err = (await missing.json()) as { error: { code: string }; meta: { request_id: string } };
      expect(err.error.code).toBe('not_found');
      expect(err.meta.request_id).toBe(missing.headers.get('x-request-id'));

      expect(herald.output()).toContain('ready in');
      expect(herald.output()).toContain(`curl -s localhost:${port}/readyz`);

      // A second terminal with only the data dir finds the database and brokers.
      const devJson = JSON.parse(fs.readFileSync(path.join(dataDir, 'dev.json'), 'utf8')) as {
        http_port: number;
      };
      expect(devJson.http_port).toBe(port);
      const second = cleanEnv({ HERALD_DATA_DIR: dataDir });
      const created = runHerald(['tenants', 'create', 'support', '--json'], second);
      expect(created.stderr).toBe('');
      expect(JSON.parse(created.stdout)).toEqual({ slug: 'support' });
      const dup = runHerald(['tenants', 'create', 'support'], second);
      expect(dup.status).toBe(1);
      expect(dup.stderr).toBe('herald: tenant "support" already exists\n');
      const list = runHerald(['tenants', 'list', '--json'], second);
      expect((JSON.parse(list.stdout) as Array<{ slug: string }>).map((t) => t.slug)).toEqual([
        'dev',
        'support',
      ]);
      const topics = runHerald(['topics', 'describe', '--json'], second);
      const described = JSON.parse(topics.stdout) as { topics: Array<{ name: string }>; missing: string[] };
      expect(described.missing).toEqual([]);
      expect(described.topics.map((t) => t.name)).toContain('herald.public.events.v1');
    } finally {
      herald.child.kill('SIGTERM');
    }
    expect(await herald.waitForExit()).toBe(0);
    expect(fs.existsSync(path.join(dataDir, 'dev.json'))).toBe(false);
    const orphan = runHerald(['tenants', 'list'], cleanEnv({ HERALD_DATA_DIR: dataDir }));
    expect(orphan.status).toBe(1);
    expect(orphan.stderr).toMatch(/^herald: no database: set DATABASE_URL or start `herald dev`/);
  });

  it('starts embedded Kafka and Postgres, stops them on Ctrl-C, and reuses their data', async () => {
    const dataDir = tempDataDir();
    const port = await freePort();
    const env = cleanEnv({
      PORT: String(port),
      HERALD_DATA_DIR: dataDir,
      HERALD_KAFKA_PORT: String(await freePort()),
      HERALD_KAFKA_CONTROLLER_PORT: String(await freePort()),
      HERALD_PG_PORT: String(await freePort()),
    });
    const timings: number[] = [];
    let enginePids: number[] = [];
    for (let run = 0; run < 2; run++) {
      const started = Date.now();
      const herald = startHerald(['dev'], env);
      try {
        await waitForReady(port, herald);
        timings.push(Date.now() - started);
        const out = herald.output();
        expect(out).toContain('(embedded, pid');
        if (run === 0) expect(out).toContain('created tenant "dev"');
        else expect(out).not.toContain('created tenant');
        enginePids = [...out.matchAll(/\(embedded, pid (\d+)\)/g)].map((m) => Number(m[1]));
        expect(enginePids).toHaveLength(2); // postgres + kafka
        for (const pid of enginePids) expect(alive(pid)).toBe(true);
        expect(processesMentioning(dataDir).length).toBe(2);
      } finally {
        herald.child.kill('SIGINT');
      }
      expect(await herald.waitForExit()).toBe(0);
      // No broker or database left behind.
      for (const pid of enginePids) expect(alive(pid)).toBe(false);
      expect(processesMentioning(dataDir)).toEqual([]);
    }
    process.stdout.write(`herald dev embedded: cold ${timings[0]} ms, warm ${timings[1]} ms\n`);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
});
