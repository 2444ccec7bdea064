/**
 * npm run test:chaos [-- --profile full|short|tiny] — the reliability suite's fault and
 * scale-out scenarios, on loopback, against embedded Kafka and Postgres of its own and
 * every role in its own process (docs/reliability.md).
 *
 * 1. Faults under load: internal events at the profile's rate over 3 tenants, delivered to
 *    4 endpoints (one answers 500 to 30 % of requests); meanwhile kill -9 the translator,
 *    the projector and the dispatcher in turn (each started again), then restart the
 *    broker, then Postgres.
 * 2. Scale-out: a second process of each consumer role joins; under load, kill -9 the first
 *    of each and start nothing in its place.
 *
 * After each, once the pipeline has settled (waited for on counts, row states and consumer
 * lag, within a bound), one check per invariant: settled; every acknowledged event in the
 * read model, none twice; every matching endpoint answered 2xx for every event; no delivery
 * row twice; no two attempts of one delivery overlapped; every fault injected and every
 * killed role back; every consumer role still in its group; no serving role exited on its
 * own. Prints the counts and `N passed, N failed`; exits non-zero when a check fails.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { publicEventId } from '@herald/contracts';
import {
  createDataSource,
  createKafka,
  createScratchDatabase,
  migrate,
  provisionLogin,
  TenantsRepository,
} from '@herald/platform';
import { generateEndpointSecret, MasterKeyring, SecretBox } from '@herald/webhooks';
import type { DataSource } from 'typeorm';
import { Pool } from 'undici';
import { attemptOverlaps, consumerGroups, deliveryRowsTwice, pipelineLag, type GroupState } from './checks';
import { startRestartableEngines, type RestartableEngines } from './engines';
import { profileFrom, type Profile } from './profiles';
import { startReceiver, type ChaosReceiver } from './receiver';
import { startRole, type Role, type RoleProcess } from './roles';

const TOKEN = `chaos-${randomBytes(24).toString('hex')}`;
const TENANTS = ['alpha', 'bravo', 'charlie'] as const;
/** Short enough that a delivery to the flaky endpoint gets through within seconds; long enough for 0.3^15. */
const RETRY_SCHEDULE = '0,250ms,500ms,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s';
const FLAKY_FAILURE_RATE = 0.3;
/** How long one batch of appends is retried (through broker and Postgres restarts) before it counts as lost. */
const APPEND_DEADLINE_MS = 120_000;
const TICK_MS = 100;

interface EndpointSpec {
  path: string;
  tenant: (typeof TENANTS)[number];
  events: string[];
  matches(type: string): boolean;
}

const ENDPOINTS: EndpointSpec[] = [
  { path: '/alpha-all', tenant: 'alpha', events: ['*'], matches: () => true },
  { path: '/alpha-posts-flaky', tenant: 'alpha', events: ['post.*'], matches: (t) => t.startsWith('post.') },
  { path: '/bravo-all', tenant: 'bravo', events: ['*'], matches: () => true },
  { path: '/charlie-users', tenant: 'charlie', events: ['user.*'], matches: (t) => t.startsWith('user.') },
];
const FLAKY_PATH = '/alpha-posts-flaky';

interface SentEvent {
  publicId: string;
  tenant: string;
  type: string;
}

interface Fault {
  what: string;
  atMs: number;
  /** Until the role or engine serves again. */
  tookMs: number;
  error?: string;
}

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

interface ScenarioReport {
  name: string;
  appended: number;
  appendRetries: number;
  appendsLost: number;
  loadMs: number;
  settleMs: number;
  settled: boolean;
  faults: Fault[];
  unplannedExits: string[];
  startExits: string[];
  /** Consumer groups when the wait ended. */
  groups: GroupState[];
  counts: Record<string, number | string>;
  perEndpoint: Array<{
    path: string;
    expected: number;
    received: number;
    missing: number;
    requests: number;
    http500: number;
  }>;
  checks: Check[];
}

const started = Date.now();
const say = (line: string): void =>
  console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`);

interface Slot {
  proc: RoleProcess;
  /** Whether this process became ready (false: it exited or timed out first). */
  ready: Promise<boolean>;
}

/**
 * The roles in their slots, supervised: a process that exits without being told to is
 * started again in its slot, as systemd or Kubernetes would. An exit before the process was
 * ever ready (its start refused because an engine was down) is counted apart from the exit
 * of a role that was serving.
 */
class Cluster {
  readonly slots = new Map<string, Slot>();
  private readonly planned = new Set<number>();
  /** Serving roles that exited on their own. */
  unplanned: string[] = [];
  /** Roles whose start failed (exit before ready) and were started again. */
  startExits: string[] = [];

  constructor(
    private readonly env: Record<string, string>,
    private readonly logDir: string,
  ) {}

  port(name: string): number {
    const slot = this.slots.get(name);
    if (!slot) throw new Error(`no role ${name}`);
    return slot.proc.port;
  }

  async start(role: Role, name: string): Promise<RoleProcess> {
    const proc = await startRole(role, name, this.env, this.logDir);
    let wasReady = false;
    const slot: Slot = {
      proc,
      ready: proc.ready().then(
        () => (wasReady = true),
        () => false,
      ),
    };
    this.slots.set(name, slot);
    void proc.exited.then(async () => {
      if (this.planned.has(proc.pid) || this.slots.get(name) !== slot) return;
      const tail = lastLine(proc.logFile);
      if (wasReady) this.unplanned.push(`${name} (pid ${proc.pid}) exited on its own: ${tail}`);
      else this.startExits.push(`${name} (pid ${proc.pid}) exited while starting: ${tail}`);
      say(`${name} exited on its own (${wasReady ? 'serving' : 'starting'}): ${tail}; starting it again`);
      await this.start(role, name);
    });
    return proc;
  }

  /** Resolves once the process in the slot is ready, following restarts; fails after `timeoutMs`. */
  async untilReady(name: string, timeoutMs = 180_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const slot = this.slots.get(name);
      if (!slot) throw new Error(`no role ${name}`);
      if (await slot.ready) return;
      if (Date.now() > deadline) throw new Error(`${name} not ready within ${timeoutMs} ms`);
      if (this.slots.get(name) === slot && slot.proc.running())
        throw new Error(`${name} not ready (log: ${slot.proc.logFile})`);
      await new Promise((r) => setTimeout(r, 200)); // the supervisor starts the next one
    }
  }

  /**
   * kill -9; with `restart`, a new process in the same slot at once. Resolves once the old
   * process is gone, with a promise of the slot serving again.
   */
  async kill(name: string, restart: boolean): Promise<{ ready: Promise<void> }> {
    const slot = this.slots.get(name);
    if (!slot) throw new Error(`no role ${name}`);
    this.planned.add(slot.proc.pid);
    await slot.proc.kill();
    if (!restart) {
      this.slots.delete(name);
      return { ready: Promise.resolve() };
    }
    await this.start(slot.proc.role, name);
    return { ready: this.untilReady(name) };
  }

  async stopAll(): Promise<void> {
    const procs = [...this.slots.values()].map((s) => s.proc);
    this.slots.clear();
    for (const p of procs) this.planned.add(p.pid);
    await Promise.all(procs.map((p) => p.stop()));
  }
}

/** The last line a role wrote (its one-line reason when it exits), shortened. */
function lastLine(file: string): string {
  try {
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    const last = lines[lines.length - 1] ?? '';
    let msg = last;
    try {
      const parsed = (JSON.parse(last) as { msg?: unknown }).msg;
      if (typeof parsed === 'string') msg = parsed;
    } catch {
      // a plain line
    }
    return msg.length > 160 ? `${msg.slice(0, 160)}…` : msg;
  } catch {
    return 'no output';
  }
}

function internalEvent(tenant: string, seq: number): { body: Record<string, unknown>; type: string } {
  const id = randomUUID();
  const occurred_at = new Date().toISOString().replace('Z', '123Z');
  if (seq % 5 === 4) {
    return {
      type: 'user.joined',
      body: {
        id,
        tenant,
        kind: 'account.user.registered',
        occurred_at,
        data: { user_id: seq, username: `user${seq}`, email: `user${seq}@example.com`, ip: '203.0.113.9' },
      },
    };
  }
  return {
    type: 'post.created',
    body: {
      id,
      tenant,
      kind: 'forum.post.created',
      occurred_at,
      data: {
        post_id: seq,
        thread_id: (seq % 50) + 1,
        forum_slug: 'general',
        title: `Post number ${seq}`,
        body: 'x'.repeat(100),
        author_id: (seq % 100) + 1,
        author_username: `user${seq % 100}`,
        ip: '203.0.113.9',
      },
    },
  };
}

let nextSeq = 1;

/**
 * Appends `rate` internal events per second for `seconds`, one batch per 100 ms, tenants in
 * turn; a batch that is refused or fails is sent again (same ids) until it is acknowledged
 * or APPEND_DEADLINE_MS passes.
 */
async function load(
  commandsPort: number,
  rate: number,
  seconds: number,
): Promise<{ sent: SentEvent[]; retries: number; lost: number; ms: number }> {
  const pool = new Pool(`http://127.0.0.1:${commandsPort}`, {
    connections: 8,
    headersTimeout: 30_000,
    bodyTimeout: 30_000,
  });
  const sent: SentEvent[] = [];
  let retries = 0;
  let lost = 0;
  const t0 = performance.now();
  const ticks = Math.round((seconds * 1000) / TICK_MS);
  const inflight: Array<Promise<void>> = [];
  let total = 0;
  for (let k = 0; k < ticks; k++) {
    const wait = t0 + k * TICK_MS - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const n = Math.round(((k + 1) * rate * TICK_MS) / 1000) - total;
    total += n;
    if (n <= 0) continue;
    const batch = Array.from({ length: n }, () => {
      const seq = nextSeq++;
      const tenant = TENANTS[seq % TENANTS.length]!;
      return { tenant, ...internalEvent(tenant, seq) };
    });
    const body = JSON.stringify(batch.map((e) => e.body));
    inflight.push(
      (async () => {
        const deadline = Date.now() + APPEND_DEADLINE_MS;
        for (let attempt = 0; ; attempt++) {
          if (attempt > 0) retries++;
          try {
            const res = await pool.request({
              method: 'POST',
              path: '/internal/v1/events',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
              body,
            });
            await res.body.dump();
            if (res.statusCode === 202) {
              for (const e of batch)
                sent.push({
                  publicId: publicEventId(e.tenant, e.body.id as string),
                  tenant: e.tenant,
                  type: e.type,
                });
              return;
            }
          } catch {
            // the commands role or an engine is restarting: send again
          }
          if (Date.now() > deadline) {
            lost += batch.length;
            return;
          }
          await new Promise((r) => setTimeout(r, 250));
        }
      })(),
    );
  }
  await Promise.all(inflight);
  const ms = performance.now() - t0;
  await pool.close();
  return { sent, retries, lost, ms };
}

async function openDb(url: string): Promise<DataSource> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      return await createDataSource({ url, poolSize: 2 }).initialize();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

function expectedPerEndpoint(events: SentEvent[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const ep of ENDPOINTS) {
    out.set(
      ep.path,
      events.filter((e) => e.tenant === ep.tenant && ep.matches(e.type)).map((e) => e.publicId),
    );
  }
  return out;
}

/**
 * Waits, within `timeoutMs`, until the read model holds as many rows of the run's tenants
 * as events were acknowledged so far, every endpoint answered 2xx for every event of this
 * scenario that matches it, and no delivery of this scenario is pending or retrying.
 */
async function settle(
  ds: DataSource,
  brokers: string[],
  receiver: ChaosReceiver,
  all: number,
  events: SentEvent[],
  timeoutMs: number,
): Promise<{ ms: number; settled: boolean; last: string; groups: GroupState[] }> {
  const t0 = Date.now();
  const expected = expectedPerEndpoint(events);
  const ids = events.map((e) => e.publicId);
  let groups: GroupState[] = [];
  const admin = createKafka({ brokers, clientId: 'herald-chaos' }).admin();
  let last = '';
  let lastSaid = Date.now();
  try {
    await admin.connect();
    for (;;) {
      try {
        const [rows] = await ds.query<Array<{ n: number }>>(
          `SELECT count(*)::int AS n FROM events WHERE tenant = ANY($1)`,
          [TENANTS],
        );
        const [open] = await ds.query<Array<{ n: number }>>(
          `SELECT count(*)::int AS n FROM webhook_deliveries WHERE event_id = ANY($1) AND status IN ('pending', 'retrying')`,
          [ids],
        );
        let missing = 0;
        for (const [p, want] of expected) {
          const got = receiver.log(p).delivered;
          for (const id of want) if (!got.has(id)) missing++;
        }
        groups = await consumerGroups(admin);
        const lag = pipelineLag(groups);
        last =
          `read model ${rows!.n}/${all}, deliveries still open ${open!.n}, endpoint deliveries missing ${missing}; ` +
          groups.map((g) => `${g.group} ${g.state} ${g.members} member(s) lag ${g.lag}`).join(', ');
        if (rows!.n >= all && open!.n === 0 && missing === 0 && lag === 0)
          return { ms: Date.now() - t0, settled: true, last, groups };
      } catch (err) {
        last = `not answering: ${err instanceof Error ? err.message : String(err)}`;
      }
      if (Date.now() - t0 > timeoutMs) return { ms: Date.now() - t0, settled: false, last, groups };
      if (Date.now() - lastSaid >= 15_000) {
        lastSaid = Date.now();
        say(`  settling: ${last}`);
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

async function verify(
  ds: DataSource,
  receiver: ChaosReceiver,
  report: ScenarioReport,
  events: SentEvent[],
): Promise<void> {
  const ids = events.map((e) => e.publicId);
  const idSet = new Set(ids);
  const rows = await ds.query<Array<{ id: string; n: number }>>(
    `SELECT id, count(*)::int AS n FROM events WHERE id = ANY($1) GROUP BY id`,
    [ids],
  );
  const inReadModel = rows.length;
  const twice = rows.filter((r) => r.n > 1).length;
  const missingRead = ids.length - inReadModel;

  const expected = expectedPerEndpoint(events);
  let missingDeliveries = 0;
  let deliveredTwice = 0;
  for (const ep of ENDPOINTS) {
    const log = receiver.log(ep.path);
    const want = expected.get(ep.path)!;
    const missing = want.filter((id) => !log.delivered.has(id)).length;
    missingDeliveries += missing;
    const mine = log.requests.filter((r) => idSet.has(r.eventId));
    const ok = new Set<string>();
    for (const r of mine) {
      if (r.status !== 200 || r.answeredHr === undefined) continue;
      if (ok.has(r.eventId)) deliveredTwice++;
      ok.add(r.eventId);
    }
    report.perEndpoint.push({
      path: ep.path,
      expected: want.length,
      received: want.length - missing,
      missing,
      requests: mine.length,
      http500: mine.filter((r) => r.status === 500).length,
    });
  }

  const dupRows = await deliveryRowsTwice(ds, ids);
  const statuses = await ds.query<Array<{ status: string; n: number }>>(
    `SELECT status, count(*)::int AS n FROM webhook_deliveries WHERE event_id = ANY($1) GROUP BY status ORDER BY status`,
    [ids],
  );
  const attempts = await attemptOverlaps(ds, ids);
  // Only overlaps of this scenario's deliveries count here.
  const scenarioDeliveries = new Set(
    (
      await ds.query<Array<{ id: string }>>(`SELECT id FROM webhook_deliveries WHERE event_id = ANY($1)`, [
        ids,
      ])
    ).map((r) => r.id),
  );
  const overlapsHere = receiver.overlaps().filter((o) => scenarioDeliveries.has(o.deliveryId));

  report.counts = {
    'events appended (acknowledged)': ids.length,
    'append requests retried': report.appendRetries,
    'events never acknowledged': report.appendsLost,
    'events in the read model': inReadModel,
    'events missing from the read model': missingRead,
    'events in the read model twice': twice,
    'delivery rows': scenarioDeliveries.size,
    'delivery rows by status': statuses.map((s) => `${s.status} ${s.n}`).join(', ') || 'none',
    'delivery rows twice (event, endpoint)': dupRows,
    'attempts recorded': attempts.attempts,
    'attempts overlapping (attempts log)': attempts.overlapping,
    'requests overlapping (receiver)': overlapsHere.length,
    'events delivered twice (2xx twice, allowed)': deliveredTwice,
    'endpoint deliveries missing': missingDeliveries,
    'roles killed (kill -9)': report.faults.filter((f) => f.what.startsWith('kill -9')).length,
    'engines restarted': report.faults.filter((f) => f.what.startsWith('restart')).length,
    'role starts refused, started again': report.startExits.length,
  };
  for (const o of overlapsHere.slice(0, 5)) say(`  overlap: ${o.text}`);
  const c = (name: string, ok: boolean, detail: string): void =>
    void report.checks.push({ name, ok, detail });
  c(`${report.name}: pipeline settled`, report.settled, `within ${(report.settleMs / 1000).toFixed(1)} s`);
  c(
    `${report.name}: every appended event in the read model`,
    missingRead === 0 && report.appendsLost === 0,
    `${missingRead} missing, ${report.appendsLost} never acknowledged`,
  );
  c(`${report.name}: no event twice in the read model`, twice === 0, `${twice} twice`);
  c(
    `${report.name}: every matching endpoint got every event`,
    missingDeliveries === 0,
    `${missingDeliveries} missing`,
  );
  c(`${report.name}: no delivery row twice`, dupRows === 0, `${dupRows} twice`);
  c(
    `${report.name}: no two attempts of one delivery overlapped`,
    attempts.overlapping === 0 && overlapsHere.length === 0,
    `${attempts.overlapping} in the attempts log, ${overlapsHere.length} at the receiver`,
  );
  c(
    `${report.name}: every fault injected, every role back`,
    report.faults.every((f) => !f.error),
    report.faults
      .filter((f) => f.error)
      .map((f) => `${f.what}: ${f.error}`)
      .join('; ') || `${report.faults.length} faults`,
  );
  const members = ['herald.translator', 'herald.projector', 'herald.dispatcher'].map((g) => ({
    g,
    n: report.groups.find((x) => x.group === g)?.members ?? 0,
  }));
  c(
    `${report.name}: every consumer role still in its group`,
    members.every((m) => m.n === 1),
    members.map((m) => `${m.g} ${m.n} member(s)`).join(', '),
  );
  c(
    `${report.name}: no serving role exited on its own`,
    report.unplannedExits.length === 0,
    report.unplannedExits.join('; ') || 'none',
  );
}

async function at(t0: number, ms: number): Promise<void> {
  const wait = t0 + ms - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}

/**
 * Runs one fault; `run` resolves once it is done and hands back a promise of the system
 * serving again (a killed role's successor ready), which the scenario awaits before it
 * settles, not before the next fault.
 */
async function fault(
  t0: number,
  faults: Fault[],
  what: string,
  run: () => Promise<{ ready: Promise<void> }>,
): Promise<{ back: Promise<void> }> {
  const begun = Date.now();
  say(`fault: ${what}`);
  const f: Fault = { what, atMs: begun - t0, tookMs: 0 };
  faults.push(f);
  const failed = (err: unknown): void => {
    f.error = err instanceof Error ? err.message : String(err);
    say(`fault failed: ${what}: ${f.error}`);
  };
  try {
    const { ready } = await run();
    const back = ready.then(() => {
      f.tookMs = Date.now() - begun;
      say(`fault: ${what}: complete after ${(f.tookMs / 1000).toFixed(1)} s`);
    }, failed);
    return { back };
  } catch (err) {
    failed(err);
    return { back: Promise.resolve() };
  }
}

function emptyReport(name: string): ScenarioReport {
  return {
    name,
    appended: 0,
    appendRetries: 0,
    appendsLost: 0,
    loadMs: 0,
    settleMs: 0,
    settled: false,
    faults: [],
    unplannedExits: [],
    startExits: [],
    groups: [],
    counts: {},
    perEndpoint: [],
    checks: [],
  };
}

function print(profile: Profile, reports: ScenarioReport[], totalMs: number): void {
  console.log('');
  console.log(
    `chaos (${profile.name}): ${profile.rate} events/s, faults ${profile.faultSeconds} s, scale-out ${profile.scaleSeconds} s; ${TENANTS.length} tenants, ${ENDPOINTS.length} endpoints (${FLAKY_PATH}: ${FLAKY_FAILURE_RATE * 100} % 500s); ${new Date().toISOString()}`,
  );
  for (const r of reports) {
    console.log(
      `\n== ${r.name}: load ${(r.loadMs / 1000).toFixed(1)} s, settled ${r.settled ? 'in' : 'NOT within'} ${(r.settleMs / 1000).toFixed(1)} s`,
    );
    for (const f of r.faults)
      console.log(
        `  fault at ${(f.atMs / 1000).toFixed(1).padStart(5)} s: ${f.what} (${(f.tookMs / 1000).toFixed(1)} s)${f.error ? ` FAILED: ${f.error}` : ''}`,
      );
    for (const u of r.unplannedExits) console.log(`  unplanned exit: ${u}`);
    for (const u of r.startExits) console.log(`  start refused, restarted: ${u}`);
    for (const [k, v] of Object.entries(r.counts)) console.log(`  ${k.padEnd(46)} ${v}`);
    console.log(`  ${'endpoint'.padEnd(22)} expected  received  missing  requests  500s`);
    for (const e of r.perEndpoint)
      console.log(
        `  ${e.path.padEnd(22)} ${String(e.expected).padStart(8)}  ${String(e.received).padStart(8)}  ${String(e.missing).padStart(7)}  ${String(e.requests).padStart(8)}  ${String(e.http500).padStart(4)}`,
      );
  }
  console.log('');
  const checks = reports.flatMap((r) => r.checks);
  for (const ch of checks) console.log(`${ch.ok ? 'ok  ' : 'FAIL'} ${ch.name} (${ch.detail})`);
  console.log(`\nduration ${(totalMs / 1000).toFixed(0)} s`);
  const passed = checks.filter((ch) => ch.ok).length;
  console.log(`${passed} passed, ${checks.length - passed} failed`);
}

async function main(): Promise<number> {
  const profile = profileFrom(process.argv.slice(2), process.env);
  say(`profile ${profile.name}: starting Kafka and Postgres`);
  let engines: RestartableEngines | undefined;
  let receiver: ChaosReceiver | undefined;
  let cluster: Cluster | undefined;
  const reports: ScenarioReport[] = [];
  try {
    engines = await startRestartableEngines(() => undefined);
    const logDir = fs.mkdtempSync(path.join(engines.dataDir, 'logs-'));
    receiver = await startReceiver({
      dir: engines.dataDir,
      failureRates: { [FLAKY_PATH]: FLAKY_FAILURE_RATE },
      delayMs: () => Math.floor(Math.random() * 6),
    });
    const dbUrl = await createScratchDatabase(engines.adminDbUrl, 'herald_chaos');
    const masterKey = randomBytes(32);
    const ds = await openDb(dbUrl);
    await migrate(ds);
    // The roles log in as production's do: herald_system for cross-tenant work, herald_app
    // for tenant queries; the owner only migrates and seeds.
    const logins: Record<string, string> = {};
    for (const [role, variable] of [
      ['herald_system', 'HERALD_DATABASE_SYSTEM_URL'],
      ['herald_app', 'HERALD_DATABASE_APP_URL'],
    ] as const) {
      const url = await provisionLogin(ds, dbUrl, role);
      if (!url) throw new Error(`the chaos server did not let ${role} log in`);
      logins[variable] = url;
    }
    const box = new SecretBox(new MasterKeyring(masterKey));
    for (const t of TENANTS) await new TenantsRepository(ds).create(t);
    for (const ep of ENDPOINTS) await seedEndpoint(ds, box, ep, `${receiver.url}${ep.path}`);
    await ds.destroy();

    cluster = new Cluster(
      {
        NODE_ENV: 'test',
        KAFKA_BROKERS: engines.brokers.join(','),
        DATABASE_URL: dbUrl,
        ...logins,
        HERALD_DATA_DIR: engines.dataDir,
        HERALD_SERVICE_TOKEN: TOKEN,
        HERALD_MASTER_KEY: masterKey.toString('base64'),
        HERALD_WEBHOOK_ALLOW_CIDRS: '127.0.0.1/32',
        HERALD_WEBHOOK_CA_FILE: receiver.certFile,
        HERALD_RETRY_SCHEDULE: RETRY_SCHEDULE,
        HERALD_WEBHOOK_POLL_INTERVAL: '200ms',
      },
      logDir,
    );
    say('starting commands, translator, projector, dispatcher (one process each)');
    const first = await Promise.all([
      cluster.start('commands', 'commands'),
      cluster.start('translator', 'translator-1'),
      cluster.start('projector', 'projector-1'),
      cluster.start('dispatcher', 'dispatcher-1'),
    ]);
    await Promise.all(first.map((p) => cluster!.untilReady(p.name)));
    const commandsPort = (): number => cluster!.port('commands');
    let acknowledged = 0;

    /** After a scenario's load: wait for the pipeline to settle, then check what it did. */
    const settleAndVerify = async (
      report: ScenarioReport,
      loaded: Awaited<ReturnType<typeof load>>,
    ): Promise<void> => {
      Object.assign(report, { appendRetries: loaded.retries, appendsLost: loaded.lost, loadMs: loaded.ms });
      acknowledged += loaded.sent.length;
      say(`${report.name}: ${loaded.sent.length} events acknowledged; waiting for the pipeline to settle`);
      const db = await openDb(dbUrl);
      try {
        const s = await settle(
          db,
          engines!.brokers,
          receiver!,
          acknowledged,
          loaded.sent,
          profile.settleTimeoutMs,
        );
        say(`${report.name}: ${s.settled ? 'settled' : 'did not settle'} (${s.last})`);
        Object.assign(report, { settleMs: s.ms, settled: s.settled, groups: s.groups });
        report.unplannedExits = cluster!.unplanned.splice(0);
        report.startExits = cluster!.startExits.splice(0);
        await verify(db, receiver!, report, loaded.sent);
      } finally {
        await db.destroy();
      }
    };

    // 1. Faults under load.
    {
      const report = emptyReport('faults');
      reports.push(report);
      const d = profile.faultSeconds * 1000;
      const t0 = Date.now();
      say(`faults: ${profile.rate} events/s for ${profile.faultSeconds} s`);
      const loading = load(commandsPort(), profile.rate, profile.faultSeconds);
      const c = cluster;
      const eng = engines;
      const back: Array<Promise<void>> = [];
      const restartEngine = async (restart: () => Promise<{ downMs: number }>, name: string) => {
        const { downMs } = await restart();
        say(`${name} was down for ${(downMs / 1000).toFixed(1)} s`);
        return { ready: Promise.resolve() };
      };
      for (const [share, role] of [
        [0.1, 'translator'],
        [0.2, 'projector'],
        [0.3, 'dispatcher'],
      ] as const) {
        await at(t0, d * share);
        back.push(
          (await fault(t0, report.faults, `kill -9 ${role}, start it again`, () => c.kill(`${role}-1`, true)))
            .back,
        );
      }
      await at(t0, d * 0.4);
      back.push(
        (
          await fault(t0, report.faults, 'restart the Kafka broker', () =>
            restartEngine(() => eng.restartKafka(), 'the broker'),
          )
        ).back,
      );
      await at(t0, d * 0.7);
      back.push(
        (
          await fault(t0, report.faults, 'restart Postgres', () =>
            restartEngine(() => eng.restartPostgres(), 'Postgres'),
          )
        ).back,
      );
      await Promise.all(back);
      await settleAndVerify(report, await loading);
    }

    // 2. Scale-out: two of each consumer role; kill -9 one of each, the other takes over.
    {
      const report = emptyReport('scale-out');
      reports.push(report);
      say('scale-out: a second translator, projector and dispatcher join');
      const second = await Promise.all([
        cluster.start('translator', 'translator-2'),
        cluster.start('projector', 'projector-2'),
        cluster.start('dispatcher', 'dispatcher-2'),
      ]);
      await Promise.all(second.map((p) => cluster!.untilReady(p.name)));
      const d = profile.scaleSeconds * 1000;
      const t0 = Date.now();
      say(`scale-out: ${profile.rate} events/s for ${profile.scaleSeconds} s`);
      const loading = load(commandsPort(), profile.rate, profile.scaleSeconds);
      const c = cluster;
      await at(t0, d * 0.4);
      for (const name of ['translator-1', 'projector-1', 'dispatcher-1']) {
        await fault(t0, report.faults, `kill -9 ${name} (not started again)`, () => c.kill(name, false));
      }
      await settleAndVerify(report, await loading);
    }
  } catch (err) {
    say(`chaos run aborted: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    const aborted = emptyReport('run');
    aborted.checks.push({
      name: 'chaos run completed',
      ok: false,
      detail: err instanceof Error ? err.message : String(err),
    });
    reports.push(aborted);
  } finally {
    await cluster?.stopAll().catch(() => undefined);
    await receiver?.close().catch(() => undefined);
    if (process.env.CHAOS_KEEP_DATA) say(`data and role logs kept in ${engines?.dataDir}`);
    else await engines?.stop().catch(() => undefined);
  }
  print(profile, reports, Date.now() - started);
  return reports.every((r) => r.checks.every((c) => c.ok)) ? 0 : 1;
}

async function seedEndpoint(ds: DataSource, box: SecretBox, ep: EndpointSpec, url: string): Promise<void> {
  const id = `ep_chaos${randomBytes(6).toString('hex')}`;
  const secret = generateEndpointSecret('mobieus-v1');
  const sealed = box.seal(secret.signing, { tenant: ep.tenant, endpointId: id, slot: 'current' });
  await ds.query(
    `INSERT INTO webhook_endpoints (id, tenant, url, label, events, secret_key_id, secret_sealed, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, now() - interval '1 minute')`,
    [id, ep.tenant, url, ep.path.slice(1), ep.events, sealed.keyId, sealed.sealed],
  );
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`chaos: ${err instanceof Error ? err.message : String(err)}`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);
