/**
 * Dispatcher processes as production runs them (`node dist/apps/dispatcher/src/main.js`) on
 * the real broker and Postgres, dialling a real HTTPS receiver: kill -9 at any moment loses
 * no delivery and never has one attempted twice at the same time; two processes of the
 * consumer group share the partitions, and compete for a backlog of due retries, without
 * attempting anything twice. The receiver reads each delivery's lease owner while the
 * request is unanswered, which tells the processes apart.
 */
import { Topics } from '@herald/contracts';
import { createDataSource, HeraldProducer, migrate, TenantsRepository } from '@herald/platform';
import { Admin, AssignerProtocol } from 'kafkajs';
import { randomInt } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ulid } from 'ulid';
import type { DataSource } from 'typeorm';
import { DISPATCHER_GROUP } from '../../libs/webhooks/src/dispatcher/dispatcher';
import {
  AttemptLog,
  attemptLog,
  buildIfStale,
  DispatcherProcess,
  dispatcherEnv,
  LoggedRequest,
  startDispatcher,
  unlessExited,
} from '../support/dispatcher-process';
import { eventually, freshDatabase, testKafka, uniqueName } from '../support/infra';
import { createTestCa, TestCa } from '../support/tls';
import { startWebhookReceiver, WebhookReceiver } from '../support/webhook-receiver';
import {
  publicEvent,
  publish,
  seedEndpoint,
  SeededEndpoint,
  setDeliverySettings,
  TestPublicEvent,
} from '../support/webhooks';

interface DeliveryRow {
  id: string;
  event_id: string;
  status: string;
  attempt_count: number;
}

interface Crash {
  name: string;
  pid: number;
  /** Requests of the killed process the receiver had not answered yet. */
  inFlight: number;
  /** Deliveries still leased to it once it was gone (sent or not). */
  leased: string[];
}

/**
 * Of the deliveries leased to a killed process, the ones it had sent: the only candidates for
 * a second request. Read from the complete log, once every sender is gone: a request the
 * process wrote just before the kill may reach the receiver, and learn its sender, only after.
 */
function sentUnrecorded(c: Crash, log: AttemptLog): Set<string> {
  const sent = new Set(log.entries.filter((e) => e.ownerPid === c.pid).map((e) => e.deliveryId));
  return new Set(c.leased.filter((id) => sent.has(id)));
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function postEvents(count: number, tag: string): TestPublicEvent[] {
  // A subject (and so a key) per event: the events spread over every partition.
  return Array.from({ length: count }, (_, i) => publicEvent('post.created', { title: `${tag}-${i}` }));
}

describe('webhook dispatcher processes', () => {
  let ca: TestCa;
  let receiver: WebhookReceiver;
  let ds: DataSource;
  let producer: HeraldProducer;
  let admin: Admin;
  let databaseUrl: string;
  let dataDir: string;
  const procs: DispatcherProcess[] = [];

  beforeAll(async () => {
    buildIfStale();
    ca = createTestCa();
    receiver = await startWebhookReceiver({ ca });
    databaseUrl = await freshDatabase();
    ds = await createDataSource({ url: databaseUrl, poolSize: 10 }).initialize();
    await migrate(ds);
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-dispatchers-'));
    producer = new HeraldProducer(testKafka('webhooks-crash'));
    await producer.connect();
    admin = testKafka('webhooks-crash-admin').admin();
    await admin.connect();
  }, 300_000);

  afterEach(async () => {
    const left = procs.splice(0);
    await Promise.all(left.map((p) => p.stop(10_000)));
  });

  afterAll(async () => {
    await admin?.disconnect();
    await producer?.disconnect();
    await ds?.destroy();
    await receiver?.close();
    ca?.dispose();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  beforeEach(() => {
    receiver.reset();
  });

  async function spawnDispatcher(
    name: string,
    extra: Record<string, string> = {},
  ): Promise<DispatcherProcess> {
    const env = dispatcherEnv({ databaseUrl, dataDir, caFile: ca.certFile, extra });
    const proc = await startDispatcher(name, env);
    procs.push(proc);
    return proc;
  }

  async function tenant(settings: Parameters<typeof setDeliverySettings>[2]): Promise<string> {
    const slug = uniqueName('whcrash');
    await new TenantsRepository(ds).create(slug);
    await setDeliverySettings(ds, slug, settings);
    return slug;
  }

  async function endpoint(slug: string): Promise<SeededEndpoint> {
    return seedEndpoint(ds, { tenant: slug, url: `${receiver.url}/hooks/${uniqueName('ep')}` });
  }

  async function deliveriesOf(ep: SeededEndpoint): Promise<DeliveryRow[]> {
    return ds.query(
      `SELECT id, event_id, status, attempt_count FROM webhook_deliveries WHERE endpoint_id = $1 ORDER BY id`,
      [ep.id],
    );
  }

  async function allSucceeded(ep: SeededEndpoint, count: number): Promise<DeliveryRow[]> {
    return eventually(
      async () => {
        const rows = await deliveriesOf(ep);
        return rows.length === count && rows.every((r) => r.status === 'succeeded') ? rows : undefined;
      },
      150_000,
      250,
    );
  }

  /** Attempts recorded per delivery of the endpoint: [n, status_code] in order. */
  async function attemptsOf(ep: SeededEndpoint): Promise<Map<string, Array<[number, number | null]>>> {
    const rows: Array<{ delivery_id: string; n: number; status_code: number | null }> = await ds.query(
      `SELECT a.delivery_id, a.n, a.status_code FROM webhook_attempts a
         JOIN webhook_deliveries d ON d.id = a.delivery_id
        WHERE d.endpoint_id = $1 ORDER BY a.delivery_id, a.n`,
      [ep.id],
    );
    const out = new Map<string, Array<[number, number | null]>>();
    for (const r of rows) out.set(r.delivery_id, [...(out.get(r.delivery_id) ?? []), [r.n, r.status_code]]);
    return out;
  }

  /** Unfinished deliveries of the endpoint still leased to the process with this pid. */
  async function leasedTo(ep: SeededEndpoint, pid: number): Promise<string[]> {
    const rows: Array<{ id: string }> = await ds.query(
      `SELECT id FROM webhook_deliveries
        WHERE endpoint_id = $1 AND status IN ('pending', 'retrying') AND lease_owner LIKE $2`,
      [ep.id, `%:${pid}:%`],
    );
    return rows.map((r) => r.id);
  }

  const sentBy = (log: AttemptLog, pid: number): LoggedRequest[] =>
    log.entries.filter((e) => e.ownerPid === pid);

  /**
   * Arms a kill -9 of `proc` from inside the receiver, while one of its requests is
   * unanswered, the first time `when(requests sent by it so far)` holds.
   */
  function killWhen(
    log: AttemptLog,
    proc: DispatcherProcess,
    when: (sent: number) => Promise<boolean>,
  ): Promise<{ inFlight: number }> {
    return new Promise((resolve) => {
      let done = false;
      log.onRequest = async (entry) => {
        if (done || entry.ownerPid !== proc.pid) return;
        if (!(await when(sentBy(log, proc.pid).length)) || done) return;
        done = true;
        proc.child.kill('SIGKILL');
        resolve({ inFlight: log.inFlight().filter((e) => e.ownerPid === proc.pid).length });
      };
    });
  }

  async function crash(
    log: AttemptLog,
    ep: SeededEndpoint,
    proc: DispatcherProcess,
    killed: Promise<{ inFlight: number }>,
  ): Promise<Crash> {
    const { inFlight } = await within(unlessExited(killed, proc), 90_000, `the moment to kill ${proc.name}`);
    const exit = await proc.exited;
    expect(exit.signal).toBe('SIGKILL');
    const leased = await leasedTo(ep, proc.pid);
    return {
      name: proc.name,
      pid: proc.pid,
      inFlight,
      leased,
    };
  }

  /**
   * Every event delivered once by Herald, with every sender gone (the receiver's log is
   * complete): one row and one answered attempt each (attempts cut short by a kill are never
   * recorded), every event received, each request sent under a lease, none in flight twice.
   */
  async function expectDeliveredOnce(
    ep: SeededEndpoint,
    events: TestPublicEvent[],
    log: AttemptLog,
  ): Promise<void> {
    const rows = await deliveriesOf(ep);
    expect(rows).toHaveLength(events.length);
    expect(new Set(rows.map((r) => r.event_id))).toEqual(new Set(events.map((e) => e.id)));
    expect(rows.filter((r) => r.status !== 'succeeded' || r.attempt_count !== 1)).toEqual([]);
    const attempts = await attemptsOf(ep);
    expect(rows.filter((r) => JSON.stringify(attempts.get(r.id)) !== JSON.stringify([[1, 200]]))).toEqual([]);
    const received = new Set(log.entries.map((e) => e.eventId));
    expect(events.filter((e) => !received.has(e.id)).map((e) => e.id)).toEqual([]);
    expect(strayRequests(log, rows)).toEqual([]);
    expect(log.entries.filter((e) => e.ownerPid === null)).toEqual([]);
    expect(log.overlaps()).toEqual([]);
  }

  /** The value of one series of the process's /metrics (0 when absent). */
  async function metric(proc: DispatcherProcess, series: string): Promise<number> {
    const res = await fetch(`http://127.0.0.1:${proc.port}/metrics`);
    const text = await res.text();
    if (res.status !== 200) throw new Error(`GET /metrics answered ${res.status}: ${text}`);
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line ? Number(line.split(' ').pop()) : 0;
  }

  /** Records the process's dispatcher read past rather than in order. */
  const passedOver = (proc: DispatcherProcess): Promise<number> =>
    metric(proc, `herald_consumer_records_passed_over_total{group="${DISPATCHER_GROUP}"}`);

  /** Requests whose delivery is not one of the endpoint's, or whose event id does not match it. */
  function strayRequests(log: AttemptLog, rows: DeliveryRow[]): LoggedRequest[] {
    const eventOf = new Map(rows.map((r) => [r.id, r.event_id]));
    return log.entries.filter((e) => eventOf.get(e.deliveryId) !== e.eventId);
  }

  it('loses nothing and never attempts a delivery twice at once when dispatchers are killed -9 mid-way', async () => {
    const t0 = Date.now();
    // Leases last the attempt timeout + 10 s: a dead process's deliveries are claimable 12 s on.
    const slug = await tenant({ attemptTimeoutMs: 2000, retryScheduleMs: [0, 200, 500, 1000, 1000, 1000] });
    const ep = await endpoint(slug);
    const events = postEvents(400, uniqueName('crash'));
    const log = attemptLog(ds, () => randomInt(0, 31));
    receiver.behave(log.behaviour);
    const env = { HERALD_WEBHOOK_ENDPOINT_CONCURRENCY: '8' };

    // Kill 1: on the dispatcher's hot path, with attempts in flight and more deliveries
    // leased to it than it has in flight (its lane's queue: up to 4 × concurrency 8; the
    // rest of the batch waits in the table unleased, offsets perhaps not yet committed).
    const p1 = await spawnDispatcher('p1', env);
    await p1.waitForReady();
    const killed1 = killWhen(
      log,
      p1,
      async (sent) => sent >= 20 && (await leasedTo(ep, p1.pid)).length >= 20,
    );
    await publish(producer, slug, events.slice(0, 200));
    const c1 = await crash(log, ep, p1, killed1);

    // Kill 2: while the next process re-attempts, under leases of its own, what the first held.
    await publish(producer, slug, events.slice(200, 300));
    const p2 = await spawnDispatcher('p2', env);
    const killed2 = killWhen(log, p2, async (sent) => sent >= 10);
    const c2 = await crash(log, ep, p2, killed2);
    log.onRequest = undefined;

    await publish(producer, slug, events.slice(300));
    const p3 = await spawnDispatcher('p3', env);
    await unlessExited(allSucceeded(ep, events.length), p3);
    await p3.waitForReady();
    expect((await p3.stop()).signal).not.toBe('SIGKILL');
    // Every sender is gone: the receiver's log is complete.

    await expectDeliveredOnce(ep, events, log);

    // Each kill hit a process with a request of its own unanswered.
    expect(c1.inFlight).toBeGreaterThan(0);
    expect(c2.inFlight).toBeGreaterThan(0);
    // A second request only ever follows a kill: the earlier ones came from processes that
    // died holding the delivery's lease, one request each.
    await log.ownersKnown();
    const unrecorded = new Map([c1, c2].map((c) => [c.pid, sentUnrecorded(c, log)]));
    const duplicated = [...log.byDelivery()].filter(([, list]) => list.length > 1);
    const unexplained = duplicated.filter(
      ([id, list]) =>
        new Set(list.map((e) => e.ownerPid)).size !== list.length ||
        !list.slice(0, -1).every((e) => unrecorded.get(e.ownerPid ?? -1)?.has(id)),
    );
    expect(unexplained).toEqual([]);
    expect(duplicated.length).toBeLessThanOrEqual(
      (unrecorded.get(c1.pid)?.size ?? 0) + (unrecorded.get(c2.pid)?.size ?? 0),
    );

    const summary = (c: Crash) =>
      `${c.name} killed with ${c.inFlight} requests in flight, ${unrecorded.get(c.pid)?.size ?? 0} sent but unrecorded, ${c.leased.length} leased`;
    process.stdout.write(
      `webhooks crash test: ${summary(c1)}; ${summary(c2)}; ${log.entries.length} requests for ` +
        `${events.length} events, ${duplicated.length} deliveries received twice; ${Date.now() - t0} ms\n`,
    );
  }, 240_000);

  it('loses nothing when a dispatcher reading past a backlog is killed -9, and the next reads the rest again', async () => {
    const slug = await tenant({ attemptTimeoutMs: 2000, retryScheduleMs: [0, 200, 500, 1000] });
    const ep = await endpoint(slug);
    const events = postEvents(3_000, uniqueName('passed'));
    const log = attemptLog(ds, () => randomInt(0, 31));
    receiver.behave(log.behaviour);
    const env = { HERALD_WEBHOOK_ENDPOINT_CONCURRENCY: '8' };

    // No dispatcher runs while the backlog is published: the next one finds its partitions far
    // behind, reads on from their newest records and leaves the rest to its reader.
    await publish(producer, slug, events.slice(0, 2_500));
    const p1 = await spawnDispatcher('p1', env);
    // Killed once it has read past (as its metrics say) and sent a few: both are asked at the
    // kill, since a process killed first cannot be asked after.
    const killed = killWhen(log, p1, async (sent) => sent >= 10 && (await passedOver(p1).catch(() => 0)) > 0);
    const c1 = await crash(log, ep, p1, killed);
    log.onRequest = undefined;

    await publish(producer, slug, events.slice(2_500));
    const p2 = await spawnDispatcher('p2', env);
    await unlessExited(allSucceeded(ep, events.length), p2);
    await p2.waitForReady();
    expect((await p2.stop()).signal).not.toBe('SIGKILL');

    await expectDeliveredOnce(ep, events, log);
    // A second request only ever follows the kill, for a delivery the killed process had sent.
    await log.ownersKnown();
    const unrecorded = sentUnrecorded(c1, log);
    const duplicated = [...log.byDelivery()].filter(([, list]) => list.length > 1);
    expect(duplicated.filter(([id, list]) => list.length !== 2 || !unrecorded.has(id))).toEqual([]);
  }, 240_000);

  it("drains a backlog it read past straight to a fast endpoint's lane: few of its deliveries wait in the table", async () => {
    const slug = await tenant({ attemptTimeoutMs: 2000, retryScheduleMs: [0, 200, 500, 1000] });
    const ep = await endpoint(slug);
    const events = postEvents(10_000, uniqueName('drained'));
    receiver.behave({}); // 200 at once: an endpoint that drains fast
    // Published while no dispatcher runs: the next one reads past it, and its reader hands
    // the records on only as the lane makes room for them.
    await publish(producer, slug, events);
    const p = await spawnDispatcher('p', { HERALD_WEBHOOK_ENDPOINT_CONCURRENCY: '16' });
    await unlessExited(allSucceeded(ep, events.length), p);
    expect(await passedOver(p)).toBeGreaterThan(events.length / 2);
    // Handed on as fast as read, 63–70 % of them went to the table and back by a claim (the
    // lane holds what it finishes in a second, here about 2,500); 8–24 % now.
    const claimed = await metric(p, 'herald_webhook_deliveries_claimed_total');
    process.stdout.write(
      `webhooks drain test: ${claimed} of ${events.length} deliveries claimed from the table\n`,
    );
    expect(claimed).toBeLessThan(events.length * 0.45);
  }, 120_000);

  it('shares the partitions between two processes of the group; each delivery is attempted once', async () => {
    const slug = await tenant({ attemptTimeoutMs: 5000 });
    const ep = await endpoint(slug);
    const log = attemptLog(ds, () => randomInt(0, 11));
    receiver.behave(log.behaviour);

    const [a, b] = await Promise.all([spawnDispatcher('a'), spawnDispatcher('b')]);
    await Promise.all([a.waitForReady(), b.waitForReady()]);
    const [topic] = (await admin.fetchTopicMetadata({ topics: [Topics.publicEvents] })).topics;
    const partitionCount = topic?.partitions.length ?? 0;
    expect(partitionCount).toBeGreaterThan(1);
    // Both members hold part of the topic before anything is published.
    const members = await eventually(
      async () => {
        const { groups } = await admin.describeGroups([DISPATCHER_GROUP]);
        const group = groups[0];
        if (group?.state !== 'Stable' || group.members.length !== 2) return undefined;
        const owned = group.members.map(
          (m) =>
            AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment[Topics.publicEvents] ??
            [],
        );
        const all = new Set(owned.flat());
        return owned.every((p) => p.length > 0) && all.size === partitionCount ? owned : undefined;
      },
      60_000,
      250,
    );
    expect(members.flat().sort((x, y) => x - y)).toEqual([...Array(partitionCount).keys()]);

    const events = postEvents(300, uniqueName('share'));
    await publish(producer, slug, events);
    await unlessExited(allSucceeded(ep, events.length), a, b);
    await Promise.all([a.stop(), b.stop()]);

    const rows = await deliveriesOf(ep);
    expect(rows.filter((r) => r.attempt_count !== 1)).toEqual([]);
    const attempts = await attemptsOf(ep);
    expect(rows.filter((r) => JSON.stringify(attempts.get(r.id)) !== JSON.stringify([[1, 200]]))).toEqual([]);
    expect(log.entries.map((e) => e.eventId).sort()).toEqual(events.map((e) => e.id).sort());
    expect(strayRequests(log, rows)).toEqual([]);
    expect(log.overlaps()).toEqual([]);
    const byA = sentBy(log, a.pid).length;
    const byB = sentBy(log, b.pid).length;
    expect(byA).toBeGreaterThan(0);
    expect(byB).toBeGreaterThan(0);
    expect(byA + byB).toBe(events.length);
  }, 120_000);

  it('two processes starting on a backlog of due deliveries attempt each exactly once', async () => {
    const slug = await tenant({ attemptTimeoutMs: 30_000 });
    const ep = await endpoint(slug);
    const backlog = await seedBacklog(ep, 1000);
    const log = attemptLog(ds, () => randomInt(0, 11));
    receiver.behave(log.behaviour);

    // Answers wait until both processes have sent something: the first one to poll cannot
    // work through the backlog before the other has claimed its share.
    const senders = new Set<number>();
    let open!: () => void;
    const bothSending = new Promise<void>((resolve) => (open = resolve));
    log.onRequest = async (entry) => {
      if (entry.ownerPid !== null) senders.add(entry.ownerPid);
      if (senders.size >= 2) open();
      await bothSending;
    };

    const env = { HERALD_WEBHOOK_ENDPOINT_CONCURRENCY: '4' };
    const [a, b] = await Promise.all([spawnDispatcher('a', env), spawnDispatcher('b', env)]);
    await within(unlessExited(bothSending, a, b), 60_000, 'requests from both processes');
    await unlessExited(allSucceeded(ep, backlog.size), a, b);
    await Promise.all([a.waitForReady(), b.waitForReady()]);
    await Promise.all([a.stop(), b.stop()]);

    const rows = await deliveriesOf(ep);
    expect(rows.filter((r) => r.attempt_count !== (backlog.get(r.id) ?? -1) + 1)).toEqual([]);
    const attempts = await attemptsOf(ep);
    const expected = (id: string) =>
      JSON.stringify((backlog.get(id) === 1 ? [[1, 500]] : []).concat([[(backlog.get(id) ?? 0) + 1, 200]]));
    expect(rows.filter((r) => JSON.stringify(attempts.get(r.id)) !== expected(r.id))).toEqual([]);
    expect(log.entries.map((e) => e.deliveryId).sort()).toEqual([...backlog.keys()].sort());
    expect(strayRequests(log, rows)).toEqual([]);
    expect(log.overlaps()).toEqual([]);
    const byA = sentBy(log, a.pid).length;
    const byB = sentBy(log, b.pid).length;
    expect(byA).toBeGreaterThan(0);
    expect(byB).toBeGreaterThan(0);
    expect(byA + byB).toBe(backlog.size);
  }, 120_000);

  /**
   * Due deliveries nobody holds, stored as the dispatcher and a failed first attempt would
   * have left them: half never attempted (`pending`), half after a 500 (`retrying`).
   * Returns the attempts made so far per delivery id.
   */
  async function seedBacklog(ep: SeededEndpoint, count: number): Promise<Map<string, number>> {
    const events = postEvents(count, uniqueName('backlog'));
    const ids = events.map(() => `dlv_${ulid()}`);
    const made = events.map((_, i) => i % 2);
    await ds.transaction(async (em) => {
      await em.query(
        `INSERT INTO webhook_messages (tenant, event_id, event_type, payload)
         SELECT $1::text, * FROM unnest($2::text[], $3::text[], $4::text[])`,
        [ep.tenant, events.map((e) => e.id), events.map((e) => e.type), events.map((e) => JSON.stringify(e))],
      );
      await em.query(
        `INSERT INTO webhook_deliveries (id, tenant, endpoint_id, event_id, event_type, status, attempt_count,
                                         max_attempts, next_attempt_at)
         SELECT v.id, $1::text, $2::text, v.event_id, v.event_type,
                CASE WHEN v.made = 0 THEN 'pending' ELSE 'retrying' END, v.made, 5,
                now() - make_interval(secs => 1 + v.ord)
           FROM unnest($3::text[], $4::text[], $5::text[], $6::int[]) WITH ORDINALITY
                AS v(id, event_id, event_type, made, ord)`,
        [ep.tenant, ep.id, ids, events.map((e) => e.id), events.map((e) => e.type), made],
      );
      await em.query(
        `INSERT INTO webhook_attempts (delivery_id, n, tenant, at, status_code, latency_ms, response_body,
                                       error, request_headers, max_attempts, next_attempt_at)
         SELECT d.id, 1, d.tenant, now() - interval '1 hour', 500, 12, 'nope', NULL, '{}'::jsonb, 5, d.next_attempt_at
           FROM webhook_deliveries d WHERE d.endpoint_id = $1 AND d.status = 'retrying'`,
        [ep.id],
      );
    });
    return new Map(ids.map((id, i) => [id, made[i] as number]));
  }
});
