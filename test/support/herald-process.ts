/** Runs the real `herald` binary as a child process, the way an operator would. */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const HERALD_BIN = path.join(REPO_ROOT, 'bin', 'herald.js');

/**
 * The environment of a fresh terminal: no inherited Herald/engine settings, except the
 * fast-paths switch, so a run with HERALD_FAST_PATHS=0 covers the processes it starts too.
 */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k === 'HERALD_FAST_PATHS') env[k] = v;
    else if (/^(HERALD_|KAFKA_|DATABASE_URL|PORT|REDIS_URL|LOG_LEVEL|NODE_ENV|TEST_)/.test(k)) continue;
    env[k] = v;
  }
  return { ...env, LOG_LEVEL: 'warn', ...extra };
}

export interface RunningHerald {
  child: ChildProcess;
  output(): string;
  waitForExit(timeoutMs?: number): Promise<number | null>;
}

/**
 * `group: true` starts herald as the leader of its own process group, like a shell job in a
 * terminal, so a test can send a signal to the whole group as Ctrl-C does (`signalGroup`).
 */
export function startHerald(
  args: string[],
  env: NodeJS.ProcessEnv,
  opts: { group?: boolean } = {},
): RunningHerald {
  const child = spawn(process.execPath, [HERALD_BIN, ...args], {
    env,
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: opts.group ?? false,
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    waitForExit: async (timeoutMs = 60_000) => {
      let timer: NodeJS.Timeout | undefined;
      try {
        return await Promise.race([
          exited,
          new Promise<number | null>((_, reject) => {
            timer = setTimeout(
              () => reject(new Error(`herald did not exit within ${timeoutMs} ms:\n${out}`)),
              timeoutMs,
            );
          }),
        ]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

export function runHerald(
  args: string[],
  env: NodeJS.ProcessEnv,
): { status: number | null; stdout: string; stderr: string } {
  const res = spawnSync(process.execPath, [HERALD_BIN, ...args], {
    env,
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

export async function waitForReady(port: number, proc: RunningHerald, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.child.exitCode !== null)
      throw new Error(`herald exited with ${proc.child.exitCode}:\n${proc.output()}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`herald not ready within ${timeoutMs} ms:\n${proc.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Pids of processes whose command line mentions `needle` (e.g. a data dir). */
export function processesMentioning(needle: string): number[] {
  const res = spawnSync('pgrep', ['-f', needle], { encoding: 'utf8' });
  return res.stdout
    .split('\n')
    .map((l) => Number(l.trim()))
    .filter((n) => Number.isInteger(n) && n > 0 && n !== process.pid);
}

/**
 * Like runHerald, without blocking this process: needed when the system under test runs
 * in this same process (a blocked event loop would stall its consumers).
 */
export async function runHeraldAsync(
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 120_000,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [HERALD_BIN, ...args], {
    env,
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const status = await new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  clearTimeout(timer);
  return { status, stdout, stderr };
}

/** Ctrl-C in a terminal: the signal goes to every process of the foreground group. */
export function signalGroup(proc: RunningHerald, signal: NodeJS.Signals): void {
  if (proc.child.pid === undefined) throw new Error('herald has no pid');
  process.kill(-proc.child.pid, signal);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Waits, bounded, until none of `pids` is alive; returns the ones still alive at the deadline. */
export async function waitForPidsGone(pids: number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = pids.filter(isAlive);
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((r) => setTimeout(r, 50));
  }
}
