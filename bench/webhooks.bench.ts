/**
 * npm run bench:webhooks — webhook delivery measured against a fast local HTTPS receiver
 * (its own process), in the production layout (each role its own process). It ends with
 * every goal of the delivery work, its figure, its target and PASS/MISS, beside the
 * baselines of the same run:
 *
 * 0. baselines: raw undici POSTs to the receiver (same concurrency, same body size); a bare
 *    Kafka hop and two relayed hops (the floor under append → dispatch), idle and at RATE/s;
 * 1. throughput: deliveries/s of a burst of public events (one endpoint), then of BURST
 *    internal events appended through POST /internal/v1/events, one per request and in
 *    batches of BENCH_APPEND_BATCH; each with its CPU per delivered event, by role, read
 *    from /proc before and after (commands, translator, projector, dispatcher, the Kafka
 *    JVM, Postgres with its backends, the receiver, this process as the load generator);
 * 2. latency at a steady rate: internal events appended one per request at 100/s, then at
 *    BENCH_RATE/s, p50/p99 from the append to the receiver having the delivery;
 * 3. the latter again with one extra endpoint that hangs until its attempt timeout: the
 *    healthy endpoint's p99 must not move, and no healthy delivery may wait behind the
 *    hanging one (also at 100/s). Beside it, the same with an extra endpoint that answers
 *    at once: what a second endpoint costs by itself, hanging or not;
 * 4. another tenant at 50/s, calm and while a 20,000-event backlog of the first is
 *    published (its trickle running since a second before) and drains; then the same with
 *    a trickle that starts once the backlog is in the log.
 *
 * Before the first latency run the append path is warmed up at the same rate for
 * BENCH_WARMUP seconds, unmeasured: the burst never crosses the commands role or the
 * translator, and their code would otherwise be measured while the JIT compiles it.
 *
 *   BENCH_QUICK=1 (a profile of a minute or two: 5,000-event bursts, 4 s runs, one round),
 *   BENCH_WEBHOOK_EVENTS (burst size, default 20000), BENCH_RATE (default 500),
 *   BENCH_DURATION (seconds per latency run, default 10), BENCH_WARMUP (default 5),
 *   BENCH_CONCURRENCY (default 16),
 *   BENCH_APPEND_CONNECTIONS (keep-alive connections appending events, default 32),
 *   BENCH_APPEND_BATCH (events per batched append, default 100),
 *   BENCH_ROUNDS (calm, second-endpoint and hanging runs, alternating, default 5 of each:
 *   the p99 of one run of 5,000 events varies by about ±20 % from run to run, twice the
 *   goal's margin),
 *   BENCH_ONLY (the goals to measure, e.g. `1,2` or `5`; default all: the runs of the
 *   others are skipped, and the baselines unless goal 1, 2 or 3 is measured)
 *
 * Before every run the rows of the runs before are vacuumed and a checkpoint taken,
 * so that the database catching up on them is not measured as latency.
 * Calm and hanging runs alternate (the hanging endpoint is deleted, and its attempts in
 * flight left to time out, before each calm run); each side is judged by the median
 * p99 of its runs, and every run's p99 is printed, so the spread shows what noise is.
 * CPU figures are of this bench's processes only; the whole machine's busy time is printed
 * beside them, since on a shared machine other work shows up there.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Pool } from 'undici';
import { publicEventId, Topics } from '@herald/contracts';
import {
  CONSUMER_FETCH,
  createDataSource,
  createKafka,
  groupLag,
  HeraldProducer,
  migrate,
  selfSignedLoopbackCertificate,
  projectRoot,
  PublicHeaders,
  TenantsRepository,
} from '@herald/platform';
import { generateEndpointSecret, MasterKeyring, SecretBox } from '@herald/webhooks';
import type { DataSource } from 'typeorm';
import { CpuMeter, formatCost, pidMatching, probes } from './cpu-meter';
import {
  fmt,
  freshDb,
  postCreatedBody,
  processCpuSeconds,
  rate,
  startEngines,
  startHeraldRoles,
} from './support';

const QUICK = process.env.BENCH_QUICK === '1';
const BURST = Number(process.env.BENCH_WEBHOOK_EVENTS ?? (QUICK ? 5_000 : 20_000));
const RATE = Number(process.env.BENCH_RATE ?? 500);
const LOW_RATE = 100;
const DURATION = Number(process.env.BENCH_DURATION ?? (QUICK ? 4 : 10));
const WARMUP = Number(process.env.BENCH_WARMUP ?? (QUICK ? 2 : 5));
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const APPEND_CONNECTIONS = Number(process.env.BENCH_APPEND_CONNECTIONS ?? 32);
const APPEND_BATCH = Number(process.env.BENCH_APPEND_BATCH ?? 100);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (QUICK ? 1 : 5));
/** The backlog one tenant drains while another tenant's trickle is measured (goal 5). */
const STARVE_BACKLOG = QUICK ? 5_000 : 20_000;
const STARVE_RATE = 50;
/** How long the other tenant's trickle runs before the backlog is published (goal 5). */
const STARVE_LEAD_MS = 1_000;
/**
 * The goals this run measures: BENCH_ONLY, a list of goal numbers (`1,2`, `4`), or all.
 * Goals 1 and 2 come from the same runs, as do goal 3 at BENCH_RATE and goal 4.
 */
const ONLY = process.env.BENCH_ONLY;
const GOALS = new Set(
  (ONLY ?? '1,2,3,4,5').split(',').map((g) => {
    const n = Number(g.trim());
    if (!Number.isInteger(n) || n < 1 || n > 5) {
      console.error(`bench:webhooks: BENCH_ONLY must list goals 1–5, e.g. "1,2" or "4"; got "${ONLY}"`);
      process.exit(2);
    }
    return n;
  }),
);
const want = (...goals: number[]): boolean => goals.some((g) => GOALS.has(g));
/** A healthy delivery this late beside a hanging endpoint has waited behind it. */
const BEHIND_HANG_MS = 1_000;
/** The default attempt timeout and a margin: how long a hanging attempt may still run. */
const HANG_CLEAR_MS = 11_000;
const TOKEN = 'bench-service-token-'.padEnd(48, 'x');
const TENANT = 'bench';
const OTHER_TENANT = 'bench-other';

const wallNow = (): number => performance.timeOrigin + performance.now();

interface Arrival {
  path: string;
  eventId: string;
  at: number;
}

class Receiver {
  private readonly waiters = new Set<() => void>();
  readonly arrivals = new Map<string, Map<string, number>>();
  constructor(
    readonly child: ChildProcess,
    readonly url: string,
  ) {
    child.on('message', (msg: unknown) => {
      if (!Array.isArray(msg)) return;
      for (const a of msg as Arrival[]) {
        const byPath = this.arrivals.get(a.path) ?? new Map<string, number>();
        if (!byPath.has(a.eventId)) byPath.set(a.eventId, a.at);
        this.arrivals.set(a.path, byPath);
      }
      for (const w of this.waiters) w();
    });
  }

  count(p: string): number {
    return this.arrivals.get(p)?.size ?? 0;
  }

  async until(p: string, n: number, timeoutMs = 300_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.count(p) < n) {
      if (Date.now() > deadline) throw new Error(`receiver got ${this.count(p)} of ${n} on ${p}`);
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          this.waiters.delete(wake);
          resolve();
        };
        this.waiters.add(wake);
        setTimeout(wake, 200);
      });
    }
  }
}

async function startReceiver(cert: { certFile: string; keyFile: string }): Promise<Receiver> {
  const child = spawn(process.execPath, [path.join(projectRoot(), 'dist/bench/https-receiver.js')], {
    env: { ...process.env, CERT_FILE: cert.certFile, KEY_FILE: cert.keyFile },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: unknown) => resolve((m as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`receiver exited with ${code}`)));
  });
  return new Receiver(child, `https://127.0.0.1:${port}`);
}

function publicEvent(i: number): { id: string; body: string } {
  const id = publicEventId(TENANT, `burst-${i}-${randomUUID()}`);
  const body = postCreatedBody(i, id);
  return { id, body };
}

/** Raw undici: the same receiver, the same concurrency, a body of the same size. */
async function rawUndici(receiver: Receiver, ca: string, n: number): Promise<number> {
  const pool = new Pool(receiver.url, { connect: { ca: [ca] }, connections: CONCURRENCY, pipelining: 1 });
  const body = publicEvent(0).body;
  let next = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < n) {
      const i = next++;
      const res = await pool.request({
        path: '/raw',
        method: 'POST',
        headers: { 'content-type': 'application/json', 'mobieus-event-id': `raw-${i}` },
        body,
      });
      await res.body.dump();
      if (res.statusCode !== 204) throw new Error(`raw POST answered ${res.statusCode}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const ms = performance.now() - started;
  await pool.close();
  return rate(n, ms);
}

async function seedEndpoint(ds: DataSource, box: SecretBox, url: string, tenant = TENANT): Promise<string> {
  const id = `ep_bench${randomBytes(6).toString('hex')}`;
  const secret = generateEndpointSecret('mobieus-v1');
  const sealed = box.seal(secret.signing, { tenant, endpointId: id, slot: 'current' });
  await ds.query(
    `INSERT INTO webhook_endpoints (id, tenant, url, label, events, secret_key_id, secret_sealed, created_at)
     VALUES ($1, $2, $3, 'bench', '{*}', $4, $5, now() - interval '1 minute')`,
    [id, tenant, url, sealed.keyId, sealed.sealed],
  );
  return id;
}

/**
 * The floor Kafka puts under the latency: one message at a time, every 20 ms, from the
 * idempotent producer (acks from all replicas) to a consumer in a group, on a topic of its
 * own; that consumer relays each message to a second topic, read by a second group, as the
 * commands role, the translator and the dispatcher do. Every appended event crosses two
 * such hops before it is dispatched. Then the same at RATE messages/s, one message per
 * send, with what the bare hops cost in CPU: the broker's (when it runs on this machine)
 * and the producers' and consumers' together (this process).
 */
async function kafkaHop(brokers: string[], brokerPid: number | undefined): Promise<HopFloor> {
  const kafka = createKafka({ brokers, clientId: 'bench-kafka-hop' });
  const suffix = randomBytes(4).toString('hex');
  const topic = `herald.bench.hop-${suffix}.v1`;
  const relayTopic = `herald.bench.hop2-${suffix}.v1`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [topic, relayTopic].map((t) => ({ topic: t, numPartitions: 1, replicationFactor: 1 })),
    waitForLeaders: true,
  });
  const producer = new HeraldProducer(kafka);
  await producer.connect();
  const relay = new HeraldProducer(kafka);
  await relay.connect();
  const consumer = kafka.consumer({ groupId: `bench-kafka-hop-${randomUUID()}`, maxWaitTimeInMs: 1000 });
  const second = kafka.consumer({ groupId: `bench-kafka-hop2-${randomUUID()}`, maxWaitTimeInMs: 1000 });
  await consumer.connect();
  await second.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await second.subscribe({ topic: relayTopic, fromBeginning: true });
  const sent = new Map<string, number>();
  let lat: number[] = [];
  let lat2: number[] = [];
  let relayed = 0;
  await consumer.run({
    eachMessage: async ({ message }) => {
      const key = message.key?.toString() ?? '';
      const at = sent.get(key);
      if (at !== undefined) lat.push(performance.now() - at);
      await relay.send(relayTopic, [{ key, value: message.value ?? '' }]);
    },
  });
  await second.run({
    eachMessage: async ({ message }) => {
      relayed++;
      const at = sent.get(message.key?.toString() ?? '');
      if (at !== undefined) lat2.push(performance.now() - at);
    },
  });
  await new Promise((r) => setTimeout(r, 2000)); // joined and long-polling
  for (let i = 0; i < 300; i++) {
    sent.set(String(i), performance.now());
    await producer.send(topic, [{ key: String(i), value: 'x'.repeat(400) }]);
    await new Promise((r) => setTimeout(r, 20));
  }
  const deadline = Date.now() + 10_000;
  while (lat2.length < sent.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const idle = { p50: percentile(lat.sort(byNumber), 50), p99: percentile(lat, 99) };
  const idle2 = { p50: percentile(lat2.sort(byNumber), 50), p99: percentile(lat2, 99) };

  // At the bench's rate, one message per send, as the commands role appends one event per request.
  lat = [];
  lat2 = [];
  const seconds = 5;
  const brokerBefore = brokerPid === undefined ? undefined : processCpuSeconds(brokerPid);
  const mine = process.cpuUsage();
  const started = performance.now();
  const sends: Array<Promise<void>> = [];
  const target = relayed + RATE * seconds;
  for (let i = 0; i < RATE * seconds; i++) {
    const wait = started + (i * 1000) / RATE - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    sent.set(`r${i}`, performance.now());
    sends.push(producer.send(topic, [{ key: `r${i}`, value: 'x'.repeat(400) }]));
  }
  await Promise.all(sends);
  while (relayed < target && Date.now() < deadline + 20_000) await new Promise((r) => setTimeout(r, 10));
  const wall = (performance.now() - started) / 1000;
  const used = process.cpuUsage(mine);
  const brokerCores =
    brokerPid === undefined || brokerBefore === undefined
      ? undefined
      : (processCpuSeconds(brokerPid)! - brokerBefore) / wall;
  lat2.sort(byNumber);

  await consumer.disconnect();
  await second.disconnect();
  await producer.disconnect();
  await relay.disconnect();
  await admin.deleteTopics({ topics: [topic, relayTopic] });
  await admin.disconnect();
  return {
    p50: idle.p50,
    p99: idle.p99,
    twoHopP50: idle2.p50,
    twoHopP99: idle2.p99,
    twoHopAtRateP99: percentile(lat2, 99),
    clientCores: (used.user + used.system) / 1e6 / wall,
    brokerCores,
  };
}

/** `n` public events of `tenant` onto `topic`, 1,000 per send, spread over 997 subjects: a backlog. */
async function publishBacklog(
  producer: HeraldProducer,
  topic: string,
  n: number,
  tenant: string,
): Promise<void> {
  for (let i = 0; i < n; i += 1000) {
    await producer.send(
      topic,
      Array.from({ length: Math.min(1000, n - i) }, (_, j) => ({
        key: `${tenant}:${(i + j) % 997}`,
        value: publicEvent(i + j).body,
        headers: { [PublicHeaders.tenant]: tenant },
      })),
    );
  }
}

/**
 * The floor Kafka's order puts under goal 5: a backlog of `n` public events of one tenant
 * (as publishBacklog writes it, on a topic of its own with the public topic's partitions),
 * then one record of another tenant at the end of every partition; a bare consumer, with
 * the fetch sizes of Herald's consumers and no work per record, reads from the start of
 * the log. How long until it has read every other-tenant record is how long any consumer
 * of the shared, ordered partitions needs just to reach them; on an otherwise idle machine.
 */
async function backlogReadFloor(brokers: string[], n: number): Promise<{ ms: number; perSecond: number }> {
  const kafka = createKafka({ brokers, clientId: 'bench-backlog-floor' });
  const admin = kafka.admin();
  await admin.connect();
  const [publicTopic] = (await admin.fetchTopicMetadata({ topics: [Topics.publicEvents] })).topics;
  const partitions = publicTopic!.partitions.length;
  const topic = `herald.bench.backlog-${randomBytes(4).toString('hex')}.v1`;
  await admin.createTopics({
    topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }],
    waitForLeaders: true,
  });
  const producer = new HeraldProducer(kafka);
  await producer.connect();
  await publishBacklog(producer, topic, n, TENANT);
  await producer.disconnect();
  // One record of the other tenant at the end of every partition.
  const marks = kafka.producer();
  await marks.connect();
  await marks.send({
    topic,
    messages: Array.from({ length: partitions }, (_, partition) => ({
      partition,
      key: `${OTHER_TENANT}:0`,
      value: publicEvent(partition).body,
      headers: { [PublicHeaders.tenant]: OTHER_TENANT },
    })),
  });
  await marks.disconnect();
  const consumer = kafka.consumer({ groupId: `bench-backlog-floor-${randomUUID()}`, ...CONSUMER_FETCH });
  let joined = 0;
  let read = 0;
  let others = 0;
  let last = 0;
  consumer.on(consumer.events.GROUP_JOIN, () => (joined = performance.now()));
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      read += batch.messages.length;
      for (const m of batch.messages) {
        if (m.headers?.[PublicHeaders.tenant]?.toString() === OTHER_TENANT && ++others === partitions)
          last = performance.now();
      }
    },
  });
  const deadline = Date.now() + 60_000;
  while (others < partitions && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  await consumer.disconnect();
  await admin.deleteTopics({ topics: [topic] });
  await admin.disconnect();
  if (others < partitions)
    throw new Error(`the bare consumer read ${others} of ${partitions} other-tenant records`);
  const ms = last - joined;
  return { ms, perSecond: (read * 1000) / ms };
}

const byNumber = (a: number, b: number): number => a - b;

interface HopFloor {
  /** One hop, one message every 20 ms. */
  p50: number;
  p99: number;
  /** Two hops (produce → consume → produce → consume), one message every 20 ms. */
  twoHopP50: number;
  twoHopP99: number;
  /** Two hops at RATE messages/s. */
  twoHopAtRateP99: number;
  /** Producers and consumers together, cores used at RATE/s over two hops. */
  clientCores: number;
  /** The broker process, cores used at RATE/s; undefined when it is not on this machine. */
  brokerCores: number | undefined;
}

function median(values: number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

function spread(runs: SteadyRun[]): string {
  return runs.map((r) => r.p99.toFixed(0)).join(', ');
}

/**
 * Vacuums what the runs before left behind (the burst's 20,000 deliveries, a run's 5,000,
 * a deleted endpoint's) and takes a checkpoint: otherwise autovacuum and the checkpointer
 * catch up during the next run, and are measured as its latency.
 */
async function tidy(ds: DataSource): Promise<void> {
  await ds.query(`VACUUM ANALYZE webhook_messages, webhook_deliveries, webhook_attempts`);
  // Needs the right to checkpoint, which a configured DATABASE_URL's role may lack.
  await ds.query(`CHECKPOINT`).catch(() => undefined);
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * Waits until every Herald consumer group has read everything there is (the projector
 * still applying the burst would otherwise be measured as delivery latency).
 */
async function settle(brokers: string[]): Promise<void> {
  const admin = createKafka({ brokers, clientId: 'bench-settle' }).admin();
  await admin.connect();
  try {
    const deadline = Date.now() + 300_000;
    for (;;) {
      const groups = (await admin.listGroups()).groups
        .map((g) => g.groupId)
        .filter((g) => g.startsWith('herald.'));
      let lag = 0;
      for (const g of groups) {
        const topics = g === 'herald.translator' ? Object.values(Topics.internal) : [Topics.publicEvents];
        for (const p of await groupLag(admin, g, topics)) {
          lag += Math.max(p.lag, 0);
        }
      }
      if (lag === 0) break;
      if (Date.now() > deadline) throw new Error(`consumer groups still ${lag} records behind`);
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    await admin.disconnect();
  }
  await new Promise((r) => setTimeout(r, 1000));
}

interface SteadyRun {
  p50: number;
  p99: number;
  max: number;
  sent: number;
  sentAt: Map<string, number>;
}

/** An internal `forum.post.created` event of `tenant`, as a product service appends it. */
function internalEvent(i: number, tenant: string): { publicId: string; event: Record<string, unknown> } {
  const internalId = randomUUID();
  return {
    publicId: publicEventId(tenant, internalId),
    event: {
      id: internalId,
      tenant,
      kind: 'forum.post.created',
      occurred_at: new Date().toISOString().replace('Z', '123Z'),
      data: {
        post_id: i + 1,
        thread_id: (i % 500) + 1,
        forum_slug: 'general',
        title: `Post number ${i}`,
        body: 'x'.repeat(200),
        author_id: (i % 1000) + 1,
        author_username: `user${i % 1000}`,
        ip: '203.0.113.9',
      },
    },
  };
}

/** One append request: a single event (an object) or a batch (an array); undefined when accepted. */
async function append(commands: Pool, body: unknown): Promise<string | undefined> {
  return commands
    .request({
      path: '/internal/v1/events',
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(body),
    })
    .then(
      async (res) =>
        res.statusCode === 202
          ? void (await res.body.dump())
          : `append answered ${res.statusCode}: ${(await res.body.text()).slice(0, 300)}`,
      (err: unknown) => `append failed: ${err instanceof Error ? err.message : String(err)}`,
    );
}

interface SteadyLoad {
  rate?: number;
  seconds?: number;
  tenant?: string;
  /** Keeps appending past `seconds` until this answers true (checked every event). */
  until?: () => boolean;
}

/**
 * Internal events at `rate`/s for `seconds` s (RATE and DURATION unless given), one per
 * request; latency append → received on `path`.
 */
async function steadyRate(
  commandsPort: number,
  receiver: Receiver,
  p: string,
  load: SteadyLoad = {},
): Promise<SteadyRun> {
  const perSecond = load.rate ?? RATE;
  const minTotal = perSecond * (load.seconds ?? DURATION);
  const tenant = load.tenant ?? TENANT;
  const sentAt = new Map<string, number>();
  // Keep-alive connections, as a product service appending events would hold.
  const commands = new Pool(`http://127.0.0.1:${commandsPort}`, { connections: APPEND_CONNECTIONS });
  const started = performance.now();
  const inflight: Array<Promise<string | undefined>> = [];
  for (let i = 0; i < minTotal || (load.until !== undefined && !load.until()); i++) {
    const due = started + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const { publicId, event } = internalEvent(i, tenant);
    sentAt.set(publicId, wallNow());
    inflight.push(append(commands, event));
  }
  const total = sentAt.size;
  // Every append settles before judging, so a failure stops the run through main's cleanup.
  const failure = (await Promise.all(inflight)).find((f) => f !== undefined);
  await commands.close();
  if (failure) throw new Error(failure);
  const deadline = Date.now() + 120_000;
  const latencies = (): number[] => {
    const got = receiver.arrivals.get(p) ?? new Map<string, number>();
    const out: number[] = [];
    for (const [id, at] of sentAt) {
      const arrived = got.get(id);
      if (arrived !== undefined) out.push(arrived - at);
    }
    return out;
  };
  while (latencies().length < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  const lat = latencies().sort(byNumber);
  if (lat.length < total) throw new Error(`only ${lat.length} of ${total} deliveries arrived on ${p}`);
  return {
    p50: percentile(lat, 50),
    p99: percentile(lat, 99),
    max: lat[lat.length - 1]!,
    sent: total,
    sentAt,
  };
}

/** The part of a steady run appended in [from, to) (wall clock), with its latencies; undefined if none. */
function within(
  run: SteadyRun,
  receiver: Receiver,
  p: string,
  from: number,
  to = Infinity,
): SteadyRun | undefined {
  const got = receiver.arrivals.get(p) ?? new Map<string, number>();
  const sentAt = new Map([...run.sentAt].filter(([, at]) => at >= from && at < to));
  const lat = [...sentAt].map(([id, at]) => got.get(id)! - at).sort(byNumber);
  if (lat.length === 0) return undefined;
  return {
    p50: percentile(lat, 50),
    p99: percentile(lat, 99),
    max: lat[lat.length - 1]!,
    sent: lat.length,
    sentAt,
  };
}

/**
 * `n` internal events appended as fast as APPEND_CONNECTIONS keep-alive connections take
 * them, `batch` per request (1: a single event per request); deliveries/s from the first
 * append to the last delivery received on `path`.
 */
async function appendThroughput(
  commandsPort: number,
  receiver: Receiver,
  p: string,
  n: number,
  batch: number,
): Promise<number> {
  const commands = new Pool(`http://127.0.0.1:${commandsPort}`, { connections: APPEND_CONNECTIONS });
  const before = receiver.count(p);
  let next = 0;
  let failure: string | undefined;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < n && failure === undefined) {
      const from = next;
      next = Math.min(n, next + batch);
      const events = [];
      for (let i = from; i < next; i++) events.push(internalEvent(i, TENANT).event);
      failure ??= await append(commands, batch === 1 ? events[0] : events);
    }
  };
  await Promise.all(Array.from({ length: APPEND_CONNECTIONS }, worker));
  await commands.close();
  if (failure) throw new Error(failure);
  await receiver.until(p, before + n);
  return rate(n, performance.now() - started);
}

interface Hop {
  name: string;
  values: number[];
}

/** The produce timestamp of every record of `topic` that `pick` names (by public event id). */
async function recordTimes(
  brokers: string[],
  topic: string,
  expected: number,
  pick: (value: string) => string | undefined,
): Promise<Map<string, number>> {
  const times = new Map<string, number>();
  const kafka = createKafka({ brokers, clientId: 'bench-hops' });
  const consumer = kafka.consumer({ groupId: `bench-hops-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, 30_000);
    consumer
      .run({
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            const id = pick(m.value?.toString('utf8') ?? '{}');
            if (id !== undefined) times.set(id, Number(m.timestamp));
          }
          if (times.size >= expected) {
            clearTimeout(timer);
            resolve();
          }
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return times;
}

/**
 * Where the time goes: for every event of a latency run, append → internal record (the
 * commands role's produce timestamp) → public record (the translator's) → delivery row
 * → attempt start → received.
 */
async function hops(
  brokers: string[],
  ds: DataSource,
  receiver: Receiver,
  p: string,
  sentAt: Map<string, number>,
  tenant = TENANT,
): Promise<Hop[]> {
  const appended = await recordTimes(brokers, Topics.internal.forum, sentAt.size, (value) => {
    const id = publicEventId(tenant, (JSON.parse(value) as { id: string }).id);
    return sentAt.has(id) ? id : undefined;
  });
  const published = await recordTimes(brokers, Topics.publicEvents, sentAt.size, (value) => {
    const id = (JSON.parse(value) as { id: string }).id;
    return sentAt.has(id) ? id : undefined;
  });
  const rows = await ds.query<Array<{ event_id: string; created: string; attempted: string }>>(
    `SELECT d.event_id,
            (extract(epoch from d.created_at) * 1000)::float8 AS created,
            (extract(epoch from min(a.at)) * 1000)::float8 AS attempted
       FROM webhook_deliveries d
       JOIN webhook_endpoints e ON e.id = d.endpoint_id
       JOIN webhook_attempts a ON a.delivery_id = d.id
      WHERE e.url LIKE '%' || $1 AND d.event_id = ANY($2::text[])
      GROUP BY d.event_id, d.created_at`,
    [p, [...sentAt.keys()]],
  );
  const got = receiver.arrivals.get(p) ?? new Map<string, number>();
  const out: Hop[] = [
    { name: 'append → internal record', values: [] },
    { name: 'internal → public record', values: [] },
    { name: 'public record → delivery row', values: [] },
    { name: 'delivery row → attempt', values: [] },
    { name: 'attempt → received', values: [] },
  ];
  for (const r of rows) {
    const sent = sentAt.get(r.event_id)!;
    const internal = appended.get(r.event_id);
    const pub = published.get(r.event_id);
    const received = got.get(r.event_id);
    if (internal === undefined || pub === undefined || received === undefined) continue;
    out[0]!.values.push(internal - sent);
    out[1]!.values.push(pub - internal);
    out[2]!.values.push(Number(r.created) - pub);
    out[3]!.values.push(Number(r.attempted) - Number(r.created));
    out[4]!.values.push(received - Number(r.attempted));
  }
  for (const h of out) h.values.sort((a, b) => a - b);
  return out;
}

function printHops(list: Hop[]): void {
  for (const h of list) {
    console.log(
      `      ${h.name.padEnd(32)} p50 ${percentile(h.values, 50).toFixed(1).padStart(7)} ms, p99 ${percentile(h.values, 99).toFixed(1).padStart(7)} ms, max ${(h.values[h.values.length - 1] ?? 0).toFixed(1).padStart(7)} ms`,
    );
  }
}

/** A delivery this late in a steady run is a stall, not noise: where it came from is printed. */
const STALL_MS = 250;

/**
 * The deliveries of a steady run that took over STALL_MS: how many, when in the run they were
 * appended, and the hops of the whole run, so that a stall shows which role held it.
 */
async function reportStalls(
  brokers: string[],
  ds: DataSource,
  receiver: Receiver,
  p: string,
  run: SteadyRun,
): Promise<void> {
  const got = receiver.arrivals.get(p) ?? new Map<string, number>();
  const first = Math.min(...run.sentAt.values());
  const late: number[] = [];
  for (const [id, at] of run.sentAt) {
    const arrived = got.get(id);
    if (arrived !== undefined && arrived - at > STALL_MS) late.push(at - first);
  }
  if (late.length === 0) return;
  late.sort(byNumber);
  console.log(
    `    ${fmt(late.length)} deliveries over ${STALL_MS} ms, appended ${(late[0]! / 1000).toFixed(2)}–${(late[late.length - 1]! / 1000).toFixed(2)} s into the run; its hops:`,
  );
  printHops(await hops(brokers, ds, receiver, p, run.sentAt));
}

/** One goal of the issue: its measured figure, its target, and the baseline of the same run. */
interface Goal {
  name: string;
  figure: string;
  target: string;
  pass: boolean;
  baseline?: string;
}

function printGoals(goals: Goal[]): void {
  console.log('\n  goals (this run)');
  const byGoal = [...goals].sort((a, b) => parseInt(a.name, 10) - parseInt(b.name, 10));
  const width = Math.max(...goals.map((g) => g.name.length));
  for (const g of byGoal) {
    console.log(
      `  ${g.pass ? 'PASS' : 'MISS'}  ${g.name.padEnd(width)} ${g.figure.padStart(10)}  target ${g.target}${g.baseline ? `  [baseline: ${g.baseline}]` : ''}`,
    );
  }
}

async function main(): Promise<void> {
  const engines = await startEngines();
  const brokerPid = pidMatching(engines.pids, 'kafka.Kafka');
  const postgresPid = engines.pids.find((pid) => pid !== brokerPid);
  const certDir = fs.mkdtempSync(path.join(engines.dataDir, 'receiver-'));
  const cert = selfSignedLoopbackCertificate(certDir, 'bench receiver');
  const ca = fs.readFileSync(cert.certFile, 'utf8');
  const receiver = await startReceiver(cert);
  let stopRoles: (() => Promise<void>) | undefined;
  const goals: Goal[] = [];
  try {
    const dbUrl = await freshDb(engines.adminDbUrl, `herald_bench_${Date.now().toString(36)}`);
    const ds = await createDataSource({ url: dbUrl, poolSize: 2 }).initialize();
    await migrate(ds);
    await new TenantsRepository(ds).create(TENANT);
    await new TenantsRepository(ds).create(OTHER_TENANT);
    const masterKey = randomBytes(32);
    const box = new SecretBox(new MasterKeyring(masterKey));
    console.log(
      `bench:webhooks${QUICK ? ' (quick profile)' : ''} — burst of ${fmt(BURST)} events; ${RATE} events/s for ${DURATION} s; concurrency ${CONCURRENCY} per endpoint; ${ROUNDS} round(s); production layout`,
    );

    // The baselines of goals 1–3.
    const raw = want(1, 2, 3) ? await rawUndici(receiver, ca, BURST) : NaN;
    const hop = want(1, 2, 3) ? await kafkaHop(engines.brokers, brokerPid) : undefined;
    if (hop) {
      console.log(`  raw undici POST → receiver                     ${fmt(raw).padStart(8)} requests/s`);
      console.log(
        `  raw Kafka hop (produce → consume, idle)        p50 ${hop.p50.toFixed(1)} ms, p99 ${hop.p99.toFixed(1)} ms; an event crosses two before dispatch`,
      );
      console.log(
        `  raw Kafka two hops (relayed, idle)             p50 ${hop.twoHopP50.toFixed(1)} ms, p99 ${hop.twoHopP99.toFixed(1)} ms; at ${RATE}/s p99 ${hop.twoHopAtRateP99.toFixed(1)} ms`,
      );
      console.log(
        `  raw Kafka two hops at ${RATE}/s, CPU              broker ${hop.brokerCores === undefined ? 'n/a (not on this machine)' : `${hop.brokerCores.toFixed(2)} core`}, producers + consumers ${hop.clientCores.toFixed(2)} core (of ${os.cpus().length})`,
      );
    }

    const roles = await startHeraldRoles(['commands', 'translator', 'projector', 'dispatcher'], {
      KAFKA_BROKERS: engines.brokers.join(','),
      DATABASE_URL: dbUrl,
      HERALD_SERVICE_TOKEN: TOKEN,
      HERALD_MASTER_KEY: masterKey.toString('base64'),
      HERALD_WEBHOOK_ALLOW_CIDRS: '127.0.0.1/32',
      HERALD_WEBHOOK_CA_FILE: cert.certFile,
      HERALD_WEBHOOK_ENDPOINT_CONCURRENCY: String(CONCURRENCY),
      HERALD_DATA_DIR: engines.dataDir,
    });
    stopRoles = roles.stop;
    const commandsPort = roles.ports.commands!;
    const cpu = new CpuMeter([
      ['commands', probes.process(roles.pids.commands)],
      ['translator', probes.process(roles.pids.translator)],
      ['projector', probes.process(roles.pids.projector)],
      ['dispatcher', probes.process(roles.pids.dispatcher)],
      ['Kafka', probes.process(brokerPid)],
      ['Postgres', probes.tree(postgresPid)],
      ['receiver', probes.process(receiver.child.pid)],
      ['load generator', probes.self()],
    ]);

    await seedEndpoint(ds, box, `${receiver.url}/fast`);
    const producer = new HeraldProducer(
      createKafka({ brokers: engines.brokers, clientId: 'bench-webhooks' }),
    );
    await producer.connect();
    /** BURST public events of `tenant` straight onto the public topic: a backlog for the dispatcher. */
    const publishBurst = (n: number, tenant: string): Promise<void> =>
      publishBacklog(producer, Topics.publicEvents, n, tenant);
    if (want(1, 2)) {
      const burstCpu = cpu.sample();
      const started = performance.now();
      await publishBurst(BURST, TENANT);
      await receiver.until('/fast', BURST);
      const deliveries = rate(BURST, performance.now() - started);
      const burstCost = cpu.cost(burstCpu, cpu.sample(), BURST);
      console.log(
        `  Herald deliveries (public topic → receiver)    ${fmt(deliveries).padStart(8)} deliveries/s, ratio Herald/raw ${(deliveries / raw).toFixed(2)}`,
      );
      console.log(`    CPU: ${formatCost(burstCost)}`);
    }

    // Before every run the database is tidied the same way, so that no run is measured while
    // autovacuum and a checkpoint catch up on what came before it.
    const quiesce = async (): Promise<void> => {
      await settle(engines.brokers);
      await tidy(ds);
    };
    await quiesce();
    if (WARMUP > 0) await steadyRate(commandsPort, receiver, '/fast', { seconds: WARMUP });

    if (want(1, 2)) {
      // Throughput and cost through the whole pipeline: appended → translated → dispatched.
      for (const batch of [1, APPEND_BATCH]) {
        await quiesce();
        const before = cpu.sample();
        const perSecond = await appendThroughput(commandsPort, receiver, '/fast', BURST, batch);
        const cost = cpu.cost(before, cpu.sample(), BURST);
        const how = batch === 1 ? 'single-event appends' : `batched appends (${batch} per request)`;
        console.log(
          `  Herald deliveries, ${how.padEnd(28)} ${fmt(perSecond).padStart(8)} deliveries/s, ratio Herald/raw ${(perSecond / raw).toFixed(2)}`,
        );
        console.log(`    CPU: ${formatCost(cost)}`);
        const costTarget = batch === 1 ? 450 : 200;
        const rateTarget = batch === 1 ? 4000 : 8000;
        goals.push(
          {
            name: `1. CPU per delivered event, ${how}`,
            figure: `${cost.total.toFixed(0)} µs`,
            target: `≤ ${costTarget} µs`,
            pass: cost.total <= costTarget,
            baseline: cost.machine === undefined ? undefined : `whole machine ${cost.machine.toFixed(0)} µs`,
          },
          {
            name: `2. throughput, ${how}`,
            figure: `${fmt(perSecond)}/s`,
            target: `≥ ${fmt(rateTarget)}/s`,
            pass: perSecond >= rateTarget,
            baseline: `raw undici ${fmt(raw)}/s, ratio ${(perSecond / raw).toFixed(2)}`,
          },
        );
      }
    }

    if (hop && want(3)) {
      // Latency at a low rate; at RATE, in the rounds below.
      await quiesce();
      const low = await steadyRate(commandsPort, receiver, '/fast', { rate: LOW_RATE });
      console.log(
        `  append → received at ${LOW_RATE}/s (${fmt(low.sent)} events)   p50 ${low.p50.toFixed(1)} ms, p99 ${low.p99.toFixed(1)} ms, max ${low.max.toFixed(1)} ms`,
      );
      goals.push({
        name: `3. p99 append → received at ${LOW_RATE}/s`,
        figure: `${low.p99.toFixed(1)} ms`,
        target: '≤ 25 ms',
        pass: low.p99 <= 25,
        baseline: `bare two-hop Kafka p99 ${hop.twoHopP99.toFixed(1)} ms (idle)`,
      });
    }

    if (want(3, 4)) {
      // Calm, second-endpoint and hanging runs alternate, so drift over the bench (warm-up,
      // background work of the database) weighs on all alike; each is judged by its median p99.
      const calm: SteadyRun[] = [];
      const twin: SteadyRun[] = [];
      const hung: SteadyRun[] = [];
      const addHanging = async (): Promise<{ id: string; before: number }> => ({
        id: await seedEndpoint(ds, box, `${receiver.url}/hang`),
        before: receiver.count('/hang'),
      });
      // Deleted with its deliveries; its attempts in flight end at their timeout, and the
      // next run starts after them.
      const removeHanging = async (id: string): Promise<void> => {
        await ds.query(`DELETE FROM webhook_endpoints WHERE id = $1`, [id]);
        await new Promise((r) => setTimeout(r, HANG_CLEAR_MS));
      };
      for (let round = 0; round < ROUNDS; round++) {
        await quiesce();
        const c = await steadyRate(commandsPort, receiver, '/fast');
        calm.push(c);
        console.log(
          `  append → received at ${RATE}/s (${fmt(c.sent)} events)   p50 ${c.p50.toFixed(1)} ms, p99 ${c.p99.toFixed(1)} ms, max ${c.max.toFixed(1)} ms`,
        );
        if (round === 0) printHops(await hops(engines.brokers, ds, receiver, '/fast', c.sentAt));
        else await reportStalls(engines.brokers, ds, receiver, '/fast', c);
        if (!want(4)) continue;
        const twinId = await seedEndpoint(ds, box, `${receiver.url}/twin`);
        await quiesce();
        const twinBefore = receiver.count('/twin');
        const t = await steadyRate(commandsPort, receiver, '/fast');
        twin.push(t);
        await receiver.until('/twin', twinBefore + t.sent);
        console.log(
          `  same, plus one endpoint that answers at once  p50 ${t.p50.toFixed(1)} ms, p99 ${t.p99.toFixed(1)} ms, max ${t.max.toFixed(1)} ms`,
        );
        await reportStalls(engines.brokers, ds, receiver, '/fast', t);
        await ds.query(`DELETE FROM webhook_endpoints WHERE id = $1`, [twinId]);
        const hang = await addHanging();
        await quiesce();
        const h = await steadyRate(commandsPort, receiver, '/fast');
        hung.push(h);
        console.log(
          `  same, plus one endpoint that hangs            p50 ${h.p50.toFixed(1)} ms, p99 ${h.p99.toFixed(1)} ms, max ${h.max.toFixed(1)} ms (hanging endpoint got ${fmt(receiver.count('/hang') - hang.before)} attempts)`,
        );
        await reportStalls(engines.brokers, ds, receiver, '/fast', h);
        await removeHanging(hang.id);
      }
      const calmP99 = median(calm.map((r) => r.p99));
      if (!want(4)) console.log(`  median of ${ROUNDS}: p99 ${calmP99.toFixed(1)} ms (runs ${spread(calm)})`);
      if (hop && want(3)) {
        goals.push({
          name: `3. p99 append → received at ${RATE}/s (median of ${ROUNDS} calm runs)`,
          figure: `${calmP99.toFixed(1)} ms`,
          target: '≤ 40 ms',
          pass: calmP99 <= 40,
          baseline: `bare two-hop Kafka p99 at ${RATE}/s ${hop.twoHopAtRateP99.toFixed(1)} ms`,
        });
      }
      if (want(4)) {
        const twinP99 = median(twin.map((r) => r.p99));
        const hungP99 = median(hung.map((r) => r.p99));
        const moved = (hungP99 - calmP99) / calmP99;
        const twinMoved = (twinP99 - calmP99) / calmP99;
        console.log(
          `  median of ${ROUNDS}: p99 ${calmP99.toFixed(1)} ms alone (runs ${spread(calm)}), ${twinP99.toFixed(1)} ms with a second endpoint answering at once (runs ${spread(twin)}), ${hungP99.toFixed(1)} ms with the hanging endpoint (runs ${spread(hung)})`,
        );
        goals.push({
          name: `4. healthy p99 moved by a hanging endpoint at ${RATE}/s (median of ${ROUNDS})`,
          figure: `${(moved * 100).toFixed(1)} %`,
          target: `< 10 %${ROUNDS < 3 ? ' (needs ≥ 3 rounds)' : ''}`,
          pass: moved < 0.1 && ROUNDS >= 3,
          baseline: `${calmP99.toFixed(1)} → ${hungP99.toFixed(1)} ms; with a second endpoint answering at once instead ${twinP99.toFixed(1)} ms (${twinMoved >= 0 ? '+' : ''}${(twinMoved * 100).toFixed(1)} %)`,
        });
        // At a low rate too: no healthy delivery may wait for a hanging attempt to time out.
        await quiesce();
        const hangLow = await addHanging();
        await quiesce();
        const hl = await steadyRate(commandsPort, receiver, '/fast', { rate: LOW_RATE });
        console.log(
          `  at ${LOW_RATE}/s, plus one endpoint that hangs         p50 ${hl.p50.toFixed(1)} ms, p99 ${hl.p99.toFixed(1)} ms, max ${hl.max.toFixed(1)} ms (hanging endpoint got ${fmt(receiver.count('/hang') - hangLow.before)} attempts)`,
        );
        await removeHanging(hangLow.id);
        const worst = Math.max(hl.max, ...hung.map((r) => r.max));
        goals.push({
          name: `4. slowest healthy delivery beside a hanging one (${LOW_RATE}/s, ${RATE}/s)`,
          figure: `${worst.toFixed(0)} ms`,
          target: `< ${fmt(BEHIND_HANG_MS)} ms (its attempt timeout is 10 s)`,
          pass: worst < BEHIND_HANG_MS,
        });
      }
    }

    // A backlog of one tenant must not starve another tenant's steady trickle.
    if (want(5)) {
      await seedEndpoint(ds, box, `${receiver.url}/other`, OTHER_TENANT);
      await quiesce();
      const floor = await backlogReadFloor(engines.brokers, STARVE_BACKLOG);
      console.log(
        `  bare consumer reading past ${fmt(STARVE_BACKLOG)} backlog events   ${floor.ms.toFixed(0)} ms to the other tenant's last record (${fmt(Math.round(floor.perSecond))} records/s, no work per record)`,
      );
      await quiesce();
      const otherCalm = await steadyRate(commandsPort, receiver, '/other', {
        rate: STARVE_RATE,
        tenant: OTHER_TENANT,
      });
      const over = 2 * otherCalm.p99;
      console.log(`  other tenant at ${STARVE_RATE}/s, calm: p99 ${otherCalm.p99.toFixed(1)} ms`);
      /**
       * The backlog published while the other tenant's trickle runs (from `leadMs` before
       * it; 0: the trickle starts once the backlog is in the log) and until it has drained.
       * The trickle's events appended while the backlog drains (from the end of its
       * publication on) are the goal's; those appended while it is being published (the
       * load generator writing 20,000 events in about half a second, on the same two cores)
       * are printed apart.
       */
      const drainBeside = async (leadMs: number, what: string): Promise<SteadyRun> => {
        await quiesce();
        const backlogTarget = receiver.count('/fast') + STARVE_BACKLOG;
        const drained = (): boolean => receiver.count('/fast') >= backlogTarget;
        const trickle = async (): Promise<SteadyRun> =>
          steadyRate(commandsPort, receiver, '/other', {
            rate: STARVE_RATE,
            tenant: OTHER_TENANT,
            seconds: 3,
            until: drained,
          });
        let running: Promise<SteadyRun> | undefined;
        if (leadMs > 0) {
          running = trickle();
          await new Promise((r) => setTimeout(r, leadMs));
        }
        const drainStarted = performance.now();
        const publishing = wallNow();
        await publishBurst(STARVE_BACKLOG, TENANT);
        const published = wallNow();
        const whole = await (running ?? trickle());
        const run = within(whole, receiver, '/other', published);
        if (!run) throw new Error('no event of the other tenant was appended while the backlog drained');
        await receiver.until('/fast', backlogTarget);
        const drainSeconds = (performance.now() - drainStarted) / 1000;
        console.log(
          `  other tenant at ${STARVE_RATE}/s ${what}: while ${fmt(STARVE_BACKLOG)} events of one tenant drain (${drainSeconds.toFixed(1)} s) p99 ${run.p99.toFixed(1)} ms, max ${run.max.toFixed(1)} ms (${fmt(run.sent)} events)`,
        );
        const landing = within(whole, receiver, '/other', publishing, published);
        if (landing)
          console.log(
            `    its events appended while the backlog was being published (${(published - publishing).toFixed(0)} ms): p99 ${landing.p99.toFixed(1)} ms, max ${landing.max.toFixed(1)} ms (${fmt(landing.sent)} events)`,
          );
        // When in the drain, and in which role, the other tenant's events lost their time.
        const lateBySecond = new Map<number, number>();
        const got = receiver.arrivals.get('/other') ?? new Map<string, number>();
        for (const [id, at] of run.sentAt) {
          const arrived = got.get(id);
          if (arrived === undefined || arrived - at <= over) continue;
          const second = Math.floor((at - published) / 1000);
          lateBySecond.set(second, (lateBySecond.get(second) ?? 0) + 1);
        }
        const late = [...lateBySecond].sort(([a], [b]) => a - b).map(([sec, n]) => `${sec} s: ${n}`);
        console.log(
          `    over 2 × calm p99 (${over.toFixed(1)} ms), by second of the drain they were appended in: ${late.length > 0 ? late.join(', ') : 'none'}`,
        );
        console.log('    its hops while the backlog drains:');
        printHops(await hops(engines.brokers, ds, receiver, '/other', run.sentAt, OTHER_TENANT));
        return run;
      };
      // The goal: a tenant in its steady state when the backlog lands. Then one that starts
      // once the backlog is in the log (its lane idle until then).
      const steady = await drainBeside(STARVE_LEAD_MS, 'running as the backlog lands');
      const after = await drainBeside(0, 'starting once the backlog is in the log');
      console.log('    its hops, calm:');
      printHops(await hops(engines.brokers, ds, receiver, '/other', otherCalm.sentAt, OTHER_TENANT));
      goals.push({
        name: `5. other tenant's p99 at ${STARVE_RATE}/s while a ${fmt(STARVE_BACKLOG)} backlog drains`,
        figure: `${steady.p99.toFixed(1)} ms`,
        target: `≤ 2 × calm = ${over.toFixed(1)} ms`,
        pass: steady.p99 <= over,
        baseline: `calm p99 ${otherCalm.p99.toFixed(1)} ms; a tenant starting once the backlog is in the log, p99 ${after.p99.toFixed(1)} ms; a bare consumer reads past the backlog in ${floor.ms.toFixed(0)} ms`,
      });
    }
    await producer.disconnect();
    printGoals(goals);
    await ds.destroy();
  } finally {
    await stopRoles?.();
    receiver.child.kill();
    await engines.stop();
  }
}

main().catch((err: unknown) => {
  console.error(`bench:webhooks failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
