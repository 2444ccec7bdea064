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
  /** The embedded broker's and Postgres server's processes, when this bench started them. */
  pids: number[];
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
    pids: engines.pids,
    stop: async () => {
      await engines.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const freshDb = createScratchDatabase;

/**
 * A node script in its own process, stderr shown, LOG_LEVEL=warn unless given;
 * BENCH_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=DIR`) go to node itself. It is stopped
 * with the bench however the bench ends (stopOnExit).
 */
export function spawnNode(script: string, args: string[], env: Record<string, string>): ChildProcess {
  const extra = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...extra, script, ...args], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  stopOnExit(child);
  return child;
}

/** The processes spawnNode started that are still running. */
const running = new Set<ChildProcess>();
let stopsOnExit = false;

/**
 * Stops `child` when the bench exits, also on Ctrl-C or a SIGTERM (a `timeout`), which skip
 * the benches' own clean-up: the engines stop by their watchdogs, and Herald's roles would
 * otherwise keep running, and taking the CPU of every bench run after.
 */
function stopOnExit(child: ChildProcess): void {
  if (!stopsOnExit) {
    stopsOnExit = true;
    process.once('exit', () => {
      for (const c of running) c.kill('SIGTERM');
    });
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.once(signal, () => process.exit(128 + os.constants.signals[signal]));
    }
  }
  running.add(child);
  child.once('exit', () => running.delete(child));
}

/** Resolves once `probe` answers true; fails when the child exits or after 90 s (with the last answer). */
export async function untilServing(
  child: ChildProcess,
  name: string,
  probe: () => Promise<true | string>,
): Promise<void> {
  const deadline = Date.now() + 90_000;
  let last = 'no answer';
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
    try {
      const answer = await probe();
      if (answer === true) return;
      last = answer;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${name} not serving (${last})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** `/readyz` of a Herald process on this port answers 200. */
export function readyz(port: number): () => Promise<true | string> {
  return async () => {
    const res = await fetch(`http://127.0.0.1:${port}/readyz`);
    return res.status === 200 ? true : `readyz ${res.status}`;
  };
}

export async function stopChild(child: ChildProcess): Promise<void> {
  // Gone already: with an exit code, or killed by a signal (then exitCode stays null).
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
}

export interface HeraldChild {
  child: ChildProcess;
  port: number;
  stop(): Promise<void>;
}

/** `herald dev` on the given engines, in its own process (as an operator runs it). */
export async function startHeraldDev(env: Record<string, string>): Promise<HeraldChild> {
  const port = await freePort();
  const child = spawnNode(path.join(projectRoot(), 'bin/herald.js'), ['dev'], { PORT: String(port), ...env });
  await untilServing(child, 'herald dev', readyz(port));
  return { child, port, stop: () => stopChild(child) };
}

export type Role = 'gateway' | 'commands' | 'translator' | 'projector' | 'dispatcher';

/**
 * The production layout: each role in its own process (`node dist/apps/<role>/src/main.js`),
 * all on the same engines. Resolves once every role answers /readyz.
 */
export async function startHeraldRoles(
  roles: Role[],
  env: Record<string, string>,
): Promise<{ ports: Record<string, number>; pids: Record<string, number>; stop(): Promise<void> }> {
  const children: ChildProcess[] = [];
  const ports: Record<string, number> = {};
  const pids: Record<string, number> = {};
  const stop = async (): Promise<void> => void (await Promise.all(children.map(stopChild)));
  try {
    for (const role of roles) {
      const port = await freePort();
      ports[role] = port;
      const child = spawnNode(path.join(projectRoot(), 'dist/apps', role, 'src/main.js'), [], {
        PORT: String(port),
        ...env,
      });
      children.push(child);
      if (child.pid !== undefined) pids[role] = child.pid;
    }
    await Promise.all(children.map((child, i) => untilServing(child, roles[i]!, readyz(ports[roles[i]!]!))));
  } catch (err) {
    await stop();
    throw err;
  }
  return { ports, pids, stop };
}

export function rate(n: number, ms: number): number {
  return Math.round((n / ms) * 1000);
}

export function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

/** User + system CPU seconds of a process so far (Linux /proc), or undefined. */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    const fields = statFields(pid);
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** USER_HZ: 100 on every Linux architecture Node runs on. */
const CLOCK_TICKS = 100;

/**
 * CPU seconds used so far by a process and its children (Linux /proc): its own time, the
 * time of the children it has reaped, and that of those still running. For a server that
 * forks a process per connection, as Postgres does.
 */
export function processTreeCpuSeconds(pid: number): number | undefined {
  let root: string[];
  try {
    root = statFields(pid);
  } catch {
    return undefined;
  }
  let ticks = Number(root[11]) + Number(root[12]) + Number(root[13]) + Number(root[14]);
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = statFields(Number(entry));
      if (Number(fields[1]) === pid) ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone meanwhile
    }
  }
  return ticks / CLOCK_TICKS;
}

/** The fields of /proc/<pid>/stat after the command name: [0] is the state, [1] the parent. */
function statFields(pid: number): string[] {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** The body of a public `post.created` event, as the benches deliver it: the i-th post of a forum. */
export function postCreatedBody(i: number, id: string): string {
  return JSON.stringify({
    id,
    type: 'post.created',
    created_at: new Date().toISOString().replace('Z', '000Z'),
    data: {
      post_id: i + 1,
      thread_id: (i % 500) + 1,
      forum_slug: 'general',
      title: `Post number ${i}`,
      author: { id: (i % 1000) + 1, username: `user${i % 1000}` },
    },
  });
}
