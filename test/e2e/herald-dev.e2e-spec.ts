/**
 * `herald dev` end to end, as a newcomer runs it: the real binary, real engines,
 * readiness over HTTP, a second terminal finding it through dev.json, clean stop.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from '@herald/platform';
import { apiRequest } from '../support/api-keys';
import { eventually, freshDatabase, rawClient, testKafkaBrokers } from '../support/infra';
import {
  cleanEnv,
  isAlive,
  processesMentioning,
  runHerald,
  RunningHerald,
  signalGroup,
  startHerald,
  waitForPidsGone,
  waitForReady,
} from '../support/herald-process';

function tempDataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-e2e-'));
  fs.chmodSync(dir, 0o755); // like a checkout's .herald/: reachable by the embedded Postgres user
  return dir;
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
    const databaseUrl = await freshDatabase();
    const env = cleanEnv({
      PORT: String(port),
      HERALD_DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS: testKafkaBrokers().join(','),
    });
    const herald = startHerald(['dev'], env);
    try {
      await waitForReady(port, herald);

      // The owner migrated; the running roles log in as herald_system and herald_app only.
      // Client sessions only: an autovacuum worker on this database has no login (null).
      const owner = decodeURIComponent(new URL(databaseUrl).username);
      expect(herald.output()).toContain(
        `  db logins   ${owner} (migrations), herald_system (cross-tenant work), herald_app (tenant queries)\n`,
      );
      const db = await rawClient(databaseUrl);
      try {
        const { rows } = await db.query<{ login: string }>(
          `SELECT DISTINCT usename AS login FROM pg_stat_activity
            WHERE datname = current_database() AND backend_type = 'client backend'
              AND pid <> pg_backend_pid() ORDER BY 1`,
        );
        expect(rows.map((r) => r.login)).toContain('herald_system');
        expect(rows.map((r) => r.login).filter((l) => l !== 'herald_app')).toEqual(['herald_system']);
      } finally {
        await db.end();
      }

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
      // Outside production it listens on loopback only, and says so.
      expect(herald.output()).toContain(
        `  listening   127.0.0.1:${port}  (HERALD_BIND; this machine only)\n`,
      );

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
    const env = await embeddedEnv(dataDir);
    const timings: number[] = [];
    for (let run = 0; run < 2; run++) {
      const started = Date.now();
      const dev = await startEmbeddedDev(env);
      timings.push(Date.now() - started);
      if (run === 0) expect(dev.herald.output()).toContain('created tenant "dev"');
      else expect(dev.herald.output()).not.toContain('created tenant');
      // The console admin: its password printed on the first start only, kept in secrets.json.
      const secretsFile = path.join(dataDir, 'secrets.json');
      const { admin_password: password } = JSON.parse(fs.readFileSync(secretsFile, 'utf8')) as {
        admin_password: string;
      };
      const adminLine = await eventually(async () => /^ {2}admin {7}.*$/m.exec(dev.herald.output())?.[0]);
      const url = `http://dev.localhost:${env.PORT}/admin`;
      expect(adminLine).toBe(
        run === 0
          ? `  admin       ${url}  admin@dev.localhost / ${password}  (password shown once; kept in ${secretsFile})`
          : `  admin       ${url}  admin@dev.localhost (password: admin_password in ${secretsFile})`,
      );
      const login = await apiRequest(`http://127.0.0.1:${env.PORT}`, '/admin/api/session', {
        tenant: 'dev',
        method: 'POST',
        body: { email: 'admin@dev.localhost', password },
      });
      expect(login.status).toBe(200);
      // The console's files, served from dist/ as the build copied them.
      const script = await apiRequest(`http://127.0.0.1:${env.PORT}`, '/admin/pages/login.js', {
        tenant: 'dev',
      });
      expect(script.status).toBe(200);
      expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(script.body).toContain("from '../api.js'");
      expect(processesMentioning(dataDir).length).toBe(2);
      await expectCleanStop(dev, 'SIGINT', () => signalGroup(dev.herald, 'SIGINT'));
      expect(processesMentioning(dataDir)).toEqual([]);
    }
    process.stdout.write(`herald dev embedded: cold ${timings[0]} ms, warm ${timings[1]} ms\n`);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('stops the same way on SIGTERM to the herald process alone', async () => {
    const dataDir = tempDataDir();
    const dev = await startEmbeddedDev(await embeddedEnv(dataDir));
    await expectCleanStop(dev, 'SIGTERM', () => dev.herald.child.kill('SIGTERM'));
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('leaves no broker or Postgres behind when herald is killed with SIGKILL', async () => {
    const dataDir = tempDataDir();
    const dev = await startEmbeddedDev(await embeddedEnv(dataDir));
    try {
      dev.herald.child.kill('SIGKILL');
      await dev.herald.waitForExit(5_000);
      // The engines learn of it through their watchdog and stop, escalating to SIGKILL after 5 s.
      expect(await waitForPidsGone([dev.kafkaPid, dev.postgresPid], 10_000)).toEqual([]);
      expect(await waitForPidsGone(processesMentioning(dataDir), 5_000)).toEqual([]);
    } finally {
      killGroup(dev.herald);
      for (const pid of [dev.kafkaPid, dev.postgresPid]) killPid(pid);
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
});

interface EmbeddedDev {
  herald: RunningHerald;
  kafkaPid: number;
  postgresPid: number;
}

async function embeddedEnv(dataDir: string): Promise<NodeJS.ProcessEnv> {
  return cleanEnv({
    PORT: String(await freePort()),
    HERALD_DATA_DIR: dataDir,
    HERALD_KAFKA_PORT: String(await freePort()),
    HERALD_KAFKA_CONTROLLER_PORT: String(await freePort()),
    HERALD_PG_PORT: String(await freePort()),
  });
}

/** `herald dev` on embedded engines, in its own process group as a terminal's job is. */
async function startEmbeddedDev(env: NodeJS.ProcessEnv): Promise<EmbeddedDev> {
  const herald = startHerald(['dev'], env, { group: true });
  try {
    await waitForReady(Number(env.PORT), herald);
    const pidOf = (engine: string): number =>
      Number(new RegExp(`^  ${engine} .*\\(embedded, pid (\\d+)\\)$`, 'm').exec(herald.output())?.[1]);
    const dev = { herald, kafkaPid: pidOf('kafka'), postgresPid: pidOf('postgres') };
    for (const pid of [dev.kafkaPid, dev.postgresPid]) expect(isAlive(pid)).toBe(true);
    return dev;
  } catch (err) {
    killGroup(herald);
    throw err;
  }
}

/** Within 5 s: roles, then the broker, then Postgres stopped, exit 0, not one error line. */
async function expectCleanStop(dev: EmbeddedDev, signal: string, send: () => void): Promise<void> {
  const before = dev.herald.output().length;
  let code: number | null;
  try {
    send();
    code = await dev.herald.waitForExit(5_000);
  } finally {
    killGroup(dev.herald);
  }
  expect(code).toBe(0);
  expect(dev.herald.output().slice(before)).toBe(
    [
      `herald: ${signal}: stopping`,
      'herald: stopped roles',
      `herald: stopped Kafka (pid ${dev.kafkaPid})`,
      `herald: stopped Postgres (pid ${dev.postgresPid})`,
      'herald: stopped',
      '',
    ].join('\n'),
  );
  // The exact tail above is the whole output after the signal: no error line can hide in it.
  expect(dev.herald.output().slice(before)).not.toMatch(/error|ECONNREFUSED|shutting down/i);
  expect([dev.kafkaPid, dev.postgresPid].filter(isAlive)).toEqual([]);
}

/** Cleanup after a failed assertion: nothing of the test's herald keeps running. */
function killGroup(herald: RunningHerald): void {
  if (herald.child.pid === undefined || herald.child.exitCode !== null || herald.child.signalCode) return;
  try {
    process.kill(-herald.child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function killPid(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
