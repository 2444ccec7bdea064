/**
 * Herald roles of the chaos run, each its own process as production runs them
 * (`node dist/apps/<role>/src/main.js`); output goes to a log file per process.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { freePort, projectRoot } from '@herald/platform';

export type Role = 'commands' | 'translator' | 'projector' | 'dispatcher';

export interface RoleProcess {
  readonly role: Role;
  readonly name: string;
  readonly pid: number;
  readonly port: number;
  readonly logFile: string;
  /** Resolves when the process has exited, however. */
  readonly exited: Promise<void>;
  running(): boolean;
  /** Resolves once /readyz answers 200; fails if the process exits first or after `timeoutMs`. */
  ready(timeoutMs?: number): Promise<void>;
  /** kill -9, resolved once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM, SIGKILL after 20 s. */
  stop(): Promise<void>;
}

export async function startRole(
  role: Role,
  name: string,
  env: Record<string, string>,
  logDir: string,
): Promise<RoleProcess> {
  const port = await freePort();
  const logFile = path.join(logDir, `${name}.log`);
  const fd = fs.openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [path.join(projectRoot(), 'dist/apps', role, 'src/main.js')], {
      cwd: projectRoot(),
      env: { ...process.env, LOG_LEVEL: 'warn', ...env, PORT: String(port) },
      stdio: ['ignore', fd, fd],
    });
  } finally {
    fs.closeSync(fd);
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  const pid = await new Promise<number>((resolve, reject) => {
    child.once('spawn', () => resolve(child.pid as number));
    child.once('error', reject);
  });
  return {
    role,
    name,
    pid,
    port,
    logFile,
    exited,
    running,
    async ready(timeoutMs = 90_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (!running()) throw new Error(`${name} exited before it was ready (log: ${logFile})`);
        try {
          const res = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2000) });
          if (res.status === 200) return;
        } catch {
          // not listening yet
        }
        if (Date.now() > deadline)
          throw new Error(`${name} not ready within ${timeoutMs} ms (log: ${logFile})`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async kill() {
      if (running()) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (!running()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => running() && child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
