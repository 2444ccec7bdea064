/**
 * Shared bench plumbing: engines (configured or embedded in a temp dir), a herald dev
 * child process, and printing.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createScratchDatabase, freePort, projectRoot, startScratchEngines } from '@herald/platform';

export interface Engines {
  brokers: string[];
  adminDbUrl: string;
  dataDir: string;
  stop(): Promise<void>;
}

/** KAFKA_BROKERS / DATABASE_URL when set, otherwise embedded engines in a temp dir. */
export async function startEngines(): Promise<Engines> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-bench-'));
  fs.chmodSync(dataDir, 0o755);
  const engines = await startScratchEngines({
    repoRoot: projectRoot(),
    dataDir,
    brokers: process.env.KAFKA_BROKERS?.split(','),
    adminDatabaseUrl: process.env.DATABASE_URL,
  });
  return {
    brokers: engines.brokers,
    adminDbUrl: engines.adminDatabaseUrl,
    dataDir,
    stop: async () => {
      await engines.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const freshDb = createScratchDatabase;

export interface HeraldChild {
  child: ChildProcess;
  port: number;
  stop(): Promise<void>;
}

/** `herald dev` on the given engines, in its own process (as an operator runs it). */
export async function startHeraldDev(env: Record<string, string>): Promise<HeraldChild> {
  const port = await freePort();
  const extra = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...extra, path.join(projectRoot(), 'bin/herald.js'), 'dev'], {
    env: { ...process.env, LOG_LEVEL: 'warn', PORT: String(port), ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`herald dev exited with ${child.exitCode}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200) break;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error('herald dev not ready');
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    child,
    port,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

export type Role = 'gateway' | 'commands' | 'translator' | 'projector' | 'dispatcher';

/**
 * The production layout: each role in its own process (`node dist/apps/<role>/src/main.js`),
 * all on the same engines. Resolves once every role answers /readyz.
 */
export async function startHeraldRoles(
  roles: Role[],
  env: Record<string, string>,
): Promise<{ ports: Record<string, number>; stop(): Promise<void> }> {
  const children: ChildProcess[] = [];
  const ports: Record<string, number> = {};
  const stop = async (): Promise<void> => {
    await Promise.all(
      children.map(async (child) => {
        if (child.exitCode !== null) return;
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }),
    );
  };
  try {
    for (const role of roles) {
      const port = await freePort();
      ports[role] = port;
      const extra = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
      children.push(
        spawn(process.execPath, [...extra, path.join(projectRoot(), 'dist/apps', role, 'src/main.js')], {
          env: { ...process.env, LOG_LEVEL: 'warn', PORT: String(port), ...env },
          stdio: ['ignore', 'ignore', 'inherit'],
        }),
      );
    }
    await Promise.all(children.map((child, i) => untilReady(child, ports[roles[i]!]!)));
  } catch (err) {
    await stop();
    throw err;
  }
  return { ports, stop };
}

async function untilReady(child: ChildProcess, port: number): Promise<void> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`a herald role exited with ${child.exitCode}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error('herald role not ready');
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function rate(n: number, ms: number): number {
  return Math.round((n / ms) * 1000);
}

export function fmt(n: number): string {
  return n.toLocaleString('en-US');
}
