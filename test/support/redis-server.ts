/** A throwaway redis-server on a free loopback port, for tests that need a real Redis. */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort, isPortOpen } from '@herald/platform';

const INSTALL_HINT =
  'redis-server is required: install it (Debian/Ubuntu: apt-get install redis-server) or set REDIS_SERVER_BIN';

function redisServerBinary(): string {
  for (const bin of [
    process.env.REDIS_SERVER_BIN,
    'redis-server',
    '/usr/bin/redis-server',
    '/usr/local/bin/redis-server',
  ]) {
    if (!bin) continue;
    const res = spawnSync(bin, ['--version'], { encoding: 'utf8' });
    if (res.status === 0 && res.stdout.startsWith('Redis server')) return bin;
  }
  throw new Error(INSTALL_HINT);
}

export interface RunningRedis {
  url: string;
  stop(): Promise<void>;
}

export async function startRedisServer(): Promise<RunningRedis> {
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
