/**
 * Dispatcher role processes for crash and scale-out tests: `node dist/apps/dispatcher/src/main.js`
 * as production runs it, on the run's broker and a database of the test's choosing; and a
 * log of what a webhook receiver saw that ties every request to the process holding the
 * delivery's lease when it arrived, with the moment it was answered.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { freePort } from '@herald/platform';
import type { DataSource } from 'typeorm';
import { testConfig, testLogins, TEST_SERVICE_TOKEN } from './app';
import { cleanEnv, HERALD_BIN, REPO_ROOT } from './herald-process';
import { testKafkaBrokers } from './infra';
import type { ReceivedRequest, ReceiverBehaviour } from './webhook-receiver';

export const DISPATCHER_MAIN = path.join(REPO_ROOT, 'dist', 'apps', 'dispatcher', 'src', 'main.js');
const BUILD_STAMP = path.join(REPO_ROOT, 'dist', '.build-stamp');
const OUTPUT_KEEP = 256 * 1024;

/** Builds dist/ when it is older than the sources: the herald binary does that before anything else. */
export function buildIfStale(): void {
  const res = spawnSync(process.execPath, [HERALD_BIN, '--help'], { encoding: 'utf8', timeout: 300_000 });
  if (res.status !== 0) throw new Error(`building dist/ failed:\n${res.stdout}${res.stderr}`);
}

/** The environment of a dispatcher process on the run's broker, dialling receivers that trust `caFile`. */
export function dispatcherEnv(opts: {
  databaseUrl: string;
  dataDir: string;
  caFile: string;
  allowCidrs?: string;
  extra?: Record<string, string>;
}): NodeJS.ProcessEnv {
  const masterKey = testConfig().masterKey;
  if (!masterKey) throw new Error('the test configuration has no master key');
  return cleanEnv({
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    DATABASE_URL: opts.databaseUrl,
    HERALD_DATABASE_APP_URL: testLogins(opts.databaseUrl).databaseAppUrl ?? '',
    HERALD_DATABASE_SYSTEM_URL: testLogins(opts.databaseUrl).databaseSystemUrl ?? '',
    KAFKA_BROKERS: testKafkaBrokers().join(','),
    HERALD_DATA_DIR: opts.dataDir,
    HERALD_MASTER_KEY: masterKey.toString('base64'),
    HERALD_SERVICE_TOKEN: TEST_SERVICE_TOKEN,
    HERALD_WEBHOOK_ALLOW_CIDRS: opts.allowCidrs ?? '127.0.0.1/32',
    HERALD_WEBHOOK_CA_FILE: opts.caFile,
    HERALD_WEBHOOK_POLL_INTERVAL: '200ms',
    ...opts.extra,
  });
}

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface DispatcherProcess {
  readonly name: string;
  readonly pid: number;
  readonly port: number;
  readonly child: ChildProcess;
  readonly exited: Promise<ProcessExit>;
  running(): boolean;
  /** stdout and stderr so far (the last 256 KiB). */
  output(): string;
  /** Resolves once /readyz answers 200: the consumer has joined its group. */
  waitForReady(timeoutMs?: number): Promise<void>;
  /** kill -9, resolved once the process is gone. */
  kill(): Promise<ProcessExit>;
  /** SIGTERM (a clean shutdown: leaves the group, hands back queued work); SIGKILL after `timeoutMs`. */
  stop(timeoutMs?: number): Promise<ProcessExit>;
}

/**
 * Resolves once dist/ is complete: the build removes it first and writes its stamp last, so
 * a build started by anyone sharing this checkout leaves no half-written tree behind it.
 */
export async function distReady(timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!fs.existsSync(BUILD_STAMP) || !fs.existsSync(DISPATCHER_MAIN)) {
    if (Date.now() > deadline)
      throw new Error(`dist/ is not built (no ${BUILD_STAMP} after ${timeoutMs} ms)`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function startDispatcher(name: string, env: NodeJS.ProcessEnv): Promise<DispatcherProcess> {
  await distReady();
  const port = await freePort();
  const child = spawn(process.execPath, [DISPATCHER_MAIN], {
    env: { ...env, PORT: String(port) },
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const append = (d: Buffer) => {
    out += d.toString();
    if (out.length > OUTPUT_KEEP * 2) out = out.slice(-OUTPUT_KEEP);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<ProcessExit>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const pid = await new Promise<number>((resolve, reject) => {
    child.once('spawn', () => resolve(child.pid as number));
    child.once('error', reject);
  });
  const running = () => child.exitCode === null && child.signalCode === null;

  return {
    name,
    pid,
    port,
    child,
    exited,
    running,
    output: () => out.slice(-OUTPUT_KEEP),
    async waitForReady(timeoutMs = 90_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (!running()) throw new Error(`dispatcher ${name} exited before it was ready:\n${out}`);
        try {
          const res = await fetch(`http://127.0.0.1:${port}/readyz`);
          if (res.status === 200) return;
        } catch {
          // not listening yet
        }
        if (Date.now() > deadline)
          throw new Error(`dispatcher ${name} not ready within ${timeoutMs} ms:\n${out}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async kill() {
      if (running()) child.kill('SIGKILL');
      return exited;
    },
    async stop(timeoutMs = 20_000) {
      if (!running()) return exited;
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const forced = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          if (running()) child.kill('SIGKILL');
          resolve();
        }, timeoutMs);
      });
      await Promise.race([exited, forced]);
      clearTimeout(timer);
      return exited;
    },
  };
}

/**
 * `promise`, failing fast (with the process's last output) if one of `procs` exits first:
 * a dispatcher that died on its own must not turn into a long wait for a condition.
 */
export function unlessExited<T>(promise: Promise<T>, ...procs: DispatcherProcess[]): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    promise.then(resolve, reject);
    for (const p of procs) {
      void p.exited.then((exit) =>
        reject(
          new Error(
            `dispatcher ${p.name} exited (${exit.signal ?? `code ${exit.code}`}) while the test waited:\n` +
              p.output().slice(-8000),
          ),
        ),
      );
    }
  });
}

/** The pid in a delivery worker's lease owner (`host:pid:random`). */
export function ownerPid(owner: string | null): number | null {
  if (owner === null) return null;
  const parts = owner.split(':');
  const pid = Number(parts[parts.length - 2]);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

export interface LoggedRequest {
  deliveryId: string;
  eventId: string;
  /** Who held the delivery's lease when the request arrived: the process that sent it. */
  owner: string | null;
  ownerPid: number | null;
  /** process.hrtime.bigint() when the request body was complete. */
  arrivedHr: bigint;
  /** process.hrtime.bigint() when the answer was handed to the server (unset: not yet). */
  answeredHr: bigint | undefined;
}

export interface AttemptLog {
  readonly entries: LoggedRequest[];
  /** Pass to receiver.behave(). */
  readonly behaviour: ReceiverBehaviour;
  /**
   * Runs for each request once its lease owner is known, before it is answered; the
   * answer waits for it (a test may kill the sender here, or hold answers back).
   */
  onRequest: ((entry: LoggedRequest) => void | Promise<void>) | undefined;
  /** Requests that arrived and are not answered yet. */
  inFlight(): LoggedRequest[];
  /**
   * Resolves once every request that has arrived so far knows its lease owner (the lookup
   * runs after the entry is logged): read senders' entries only after this.
   */
  ownersKnown(): Promise<void>;
  byDelivery(): Map<string, LoggedRequest[]>;
  /**
   * Deliveries with a request that arrived before the previous request for the same
   * delivery was answered (one line each): a delivery attempted twice at the same time.
   */
  overlaps(): string[];
}

/**
 * Answers every request with 200 after `delayMs()` milliseconds, and logs it with the
 * lease owner read from `webhook_deliveries` while the request is still unanswered (the
 * sender clears the lease only once it has recorded the answer).
 */
export function attemptLog(ds: DataSource, delayMs: () => number): AttemptLog {
  const entries: LoggedRequest[] = [];
  const lookups = new Set<Promise<unknown>>();
  const log: AttemptLog = {
    entries,
    onRequest: undefined,
    behaviour: async (req: ReceivedRequest) => {
      const deliveryId = String(req.headers['mobieus-delivery-id'] ?? '');
      const entry: LoggedRequest = {
        deliveryId,
        eventId: String(req.headers['mobieus-event-id'] ?? ''),
        owner: null,
        ownerPid: null,
        arrivedHr: req.receivedAtHr,
        answeredHr: undefined,
      };
      entries.push(entry);
      try {
        const lookup = ds.query<Array<{ lease_owner: string | null }>>(
          `SELECT lease_owner FROM webhook_deliveries WHERE id = $1`,
          [deliveryId],
        );
        lookups.add(lookup);
        const rows = await lookup.finally(() => lookups.delete(lookup));
        entry.owner = rows[0]?.lease_owner ?? null;
        entry.ownerPid = ownerPid(entry.owner);
        await log.onRequest?.(entry);
        const delay = delayMs();
        if (delay > 0) await new Promise((r) => setTimeout(r, delay));
        return { status: 200 };
      } finally {
        entry.answeredHr = process.hrtime.bigint();
      }
    },
    inFlight: () => entries.filter((e) => e.answeredHr === undefined),
    ownersKnown: async () => {
      while (lookups.size > 0) await Promise.allSettled([...lookups]);
    },
    byDelivery() {
      const out = new Map<string, LoggedRequest[]>();
      for (const e of entries) {
        const list = out.get(e.deliveryId) ?? [];
        list.push(e);
        out.set(e.deliveryId, list);
      }
      for (const list of out.values()) list.sort((a, b) => (a.arrivedHr < b.arrivedHr ? -1 : 1));
      return out;
    },
    overlaps() {
      const out: string[] = [];
      for (const [id, list] of log.byDelivery()) {
        for (let i = 1; i < list.length; i++) {
          const prev = list[i - 1] as LoggedRequest;
          const next = list[i] as LoggedRequest;
          if (prev.answeredHr === undefined || next.arrivedHr <= prev.answeredHr) {
            out.push(
              `${id}: request ${i + 1} (from pid ${next.ownerPid}) arrived while request ${i} (from pid ${prev.ownerPid}) was unanswered`,
            );
          }
        }
      }
      return out;
    },
  };
  return log;
}
