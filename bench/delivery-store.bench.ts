/**
 * npm run bench:delivery-store — what the SQL of delivery state costs per delivery, on
 * Postgres alone (no Kafka, no HTTP): the dispatcher's write of new deliveries (message
 * and delivery rows, leased to it) and the workers' write of their outcomes (attempt rows,
 * states, endpoint health), at the sizes they run at: a few rows per statement, as at a
 * steady few hundred events a second, a burst's hundred, and the thousands of a write
 * behind a busy dispatcher's calls.
 *
 * Then what a claim costs per claimed delivery: an endpoint's backlog of due deliveries is
 * claimed 100 at a time while the lane keeps a number of earlier claims in flight (leased,
 * their outcomes not yet written), as a busy lane does while it drains; and what share of
 * those claims Postgres wrote in place (a heap-only update, no index entry written).
 *
 * Per delivery: wall time, the Postgres server's CPU (its processes together, when it is
 * the embedded one started here) and this process's: the pg client building the
 * statements and reading their answers (the rows are made up before the clock starts). The statements run one after another on one connection, as one
 * dispatcher's do.
 *
 *   BENCH_STORE_DELIVERIES (deliveries per size, default 20000)
 *   DATABASE_URL: a running server instead of the embedded one (its CPU is not measured)
 */
import { randomBytes, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { newUlid } from '@herald/contracts';
import {
  createDataSource,
  createScratchDatabase,
  freePort,
  migrate,
  startEmbeddedPostgres,
  TenantsRepository,
} from '@herald/platform';
import type { DataSource } from 'typeorm';
import type { DeliveryJob, DeliveryOutcome } from '../libs/webhooks/src/delivery/delivery-job';
import { DeliveryStore, NewDelivery, NewMessage } from '../libs/webhooks/src/delivery/delivery-store';
import { fmt, postCreatedBody, processTreeCpuSeconds } from './support';

const N = Number(process.env.BENCH_STORE_DELIVERIES ?? 20_000);
const SIZES = [10, 100, 2000];
/** Deliveries a lane holds leased while it claims more, in the claim runs. */
const IN_FLIGHT = [0, 2000, 5000];
const CLAIM = 100;
const TENANT = 'bench';
const OWNER = 'bench-worker';

interface Cost {
  wallUs: number;
  serverUs: number | undefined;
  clientUs: number;
}

/** Runs `work` and divides what it cost by `n` deliveries. */
async function measure(n: number, serverPid: number | undefined, work: () => Promise<void>): Promise<Cost> {
  const server = serverPid === undefined ? undefined : processTreeCpuSeconds(serverPid);
  const client = process.cpuUsage();
  const started = performance.now();
  await work();
  const wallUs = ((performance.now() - started) * 1000) / n;
  const used = process.cpuUsage(client);
  const serverAfter = serverPid === undefined ? undefined : processTreeCpuSeconds(serverPid);
  return {
    wallUs,
    serverUs:
      server === undefined || serverAfter === undefined ? undefined : ((serverAfter - server) * 1e6) / n,
    clientUs: (used.user + used.system) / n,
  };
}

interface CreateBatch {
  messages: NewMessage[];
  deliveries: NewDelivery[];
}

/** `n` new deliveries of one endpoint, `size` per statement, leased as the dispatcher leases them. */
function newDeliveries(
  endpointId: string,
  n: number,
  size: number,
  leaseMs: number | null = 60_000,
): CreateBatch[] {
  const batches: CreateBatch[] = [];
  for (let start = 0; start < n; start += size) {
    const batch: CreateBatch = { messages: [], deliveries: [] };
    for (let i = start; i < Math.min(n, start + size); i++) {
      const eventId = `evt_${randomUUID().replace(/-/g, '')}`;
      batch.messages.push({
        tenant: TENANT,
        eventId,
        eventType: 'post.created',
        payload: postCreatedBody(i, eventId),
      });
      batch.deliveries.push({
        id: `dlv_${newUlid()}`,
        tenant: TENANT,
        endpointId,
        eventId,
        eventType: 'post.created',
        maxAttempts: 7,
        leaseMs,
      });
    }
    batches.push(batch);
  }
  return batches;
}

async function createAll(store: DeliveryStore, batches: CreateBatch[]): Promise<DeliveryJob[]> {
  const jobs: DeliveryJob[] = [];
  for (const { messages, deliveries } of batches) {
    const created = await store.createDeliveries(OWNER, messages, deliveries);
    for (const d of deliveries) {
      const leaseUntil = created.get(d.id);
      if (leaseUntil === undefined || (leaseUntil === null) !== (d.leaseMs === null))
        throw new Error(`delivery ${d.id} was not created as asked`);
      jobs.push({ ...d, attemptCount: 0, payload: '', leaseUntil: leaseUntil ?? 0 });
    }
  }
  return jobs;
}

/** A first, successful attempt of every job, `size` outcomes per statement. */
function successes(jobs: DeliveryJob[], size: number): DeliveryOutcome[][] {
  const timestamp = Math.floor(Date.now() / 1000);
  const batches: DeliveryOutcome[][] = [];
  for (let start = 0; start < jobs.length; start += size) {
    batches.push(
      jobs.slice(start, start + size).map((job) => ({
        kind: 'attempted',
        job,
        status: 'succeeded',
        nextAttemptAt: null,
        gone: false,
        attempt: {
          n: 1,
          at: new Date(),
          statusCode: 204,
          latencyMs: 3,
          responseBody: '',
          error: null,
          requestHeaders: {
            'Content-Type': 'application/json',
            'User-Agent': 'Mobieus-Webhook/1.0',
            'Mobieus-Event-Id': job.eventId,
            'Mobieus-Event-Type': job.eventType,
            'Mobieus-Delivery-Id': job.id,
            'Mobieus-Signature': `t=${timestamp},v1=${randomBytes(32).toString('hex')}`,
          },
        },
      })),
    );
  }
  return batches;
}

/**
 * Claims the endpoint's `n` due deliveries CLAIM at a time, writing the outcomes of the
 * oldest claims only once more than `inFlight` are leased; the clock runs during claims only.
 */
async function claimAll(
  store: DeliveryStore,
  endpointId: string,
  n: number,
  inFlight: number,
  serverPid: number | undefined,
): Promise<Cost> {
  const room = new Map([[endpointId, CLAIM]]);
  const held: DeliveryJob[][] = [];
  let leased = 0;
  let claimed = 0;
  let wallMs = 0;
  let serverS = 0;
  let clientUs = 0;
  while (claimed < n) {
    const server = serverPid === undefined ? undefined : processTreeCpuSeconds(serverPid);
    const client = process.cpuUsage();
    const started = performance.now();
    const jobs = await store.claimDue(OWNER, CLAIM, room, 0);
    wallMs += performance.now() - started;
    const used = process.cpuUsage(client);
    clientUs += used.user + used.system;
    const serverAfter = serverPid === undefined ? undefined : processTreeCpuSeconds(serverPid);
    if (server !== undefined && serverAfter !== undefined) serverS += serverAfter - server;
    if (jobs.length === 0) throw new Error(`a claim found nothing after ${claimed} of ${n}`);
    claimed += jobs.length;
    held.push(jobs);
    leased += jobs.length;
    while (leased > inFlight) {
      const done = held.shift()!;
      leased -= done.length;
      await recordAll(store, successes(done, done.length));
    }
  }
  for (const jobs of held) await recordAll(store, successes(jobs, jobs.length));
  return {
    wallUs: (wallMs * 1000) / claimed,
    serverUs: serverPid === undefined ? undefined : (serverS * 1e6) / claimed,
    clientUs: clientUs / claimed,
  };
}

async function recordAll(store: DeliveryStore, batches: DeliveryOutcome[][]): Promise<void> {
  for (const batch of batches) await store.recordOutcomes(OWNER, batch);
}

async function seedEndpoint(ds: DataSource): Promise<string> {
  const id = `ep_bench${randomBytes(6).toString('hex')}`;
  await ds.query(
    `INSERT INTO webhook_endpoints (id, tenant, url, label, events, secret_key_id, secret_sealed)
     VALUES ($1, $2, 'https://receiver.example/hook', 'bench', '{*}', 'bench-key', 'not-a-secret')`,
    [id, TENANT],
  );
  return id;
}

/**
 * Updates of delivery rows written in place so far (heap-only: no index entry written).
 * The bench's one connection flushes its statistics first.
 */
async function hotUpdates(ds: DataSource): Promise<number> {
  await ds.query('SELECT pg_stat_force_next_flush()');
  await ds.query('SELECT 1');
  const [row] = await ds.query<Array<{ n: string }>>(
    `SELECT n_tup_hot_upd AS n FROM pg_stat_user_tables WHERE relname = 'webhook_deliveries'`,
  );
  return Number(row?.n ?? 0);
}

function us(v: number | undefined): string {
  return v === undefined ? '     n/a' : v.toFixed(1).padStart(8);
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-bench-store-'));
  fs.chmodSync(dataDir, 0o755);
  const configured = process.env.DATABASE_URL;
  const server = configured
    ? undefined
    : await startEmbeddedPostgres({ dataDir, port: await freePort(), database: 'postgres' });
  try {
    const admin = configured ?? server!.urlFor('postgres');
    const url = await createScratchDatabase(admin, `herald_bench_store_${Date.now().toString(36)}`);
    // One connection: one dispatcher's statements, one after another.
    const ds = await createDataSource({ url, poolSize: 1 }).initialize();
    await migrate(ds);
    await new TenantsRepository(ds).create(TENANT);
    const store = new DeliveryStore(ds);
    console.log(
      `bench:delivery-store — ${fmt(N)} deliveries per size, one connection; µs per delivery (wall, Postgres CPU, client CPU)`,
    );
    // Warm-up: the client's code compiled, the server's caches filled.
    const warm = await createAll(store, newDeliveries(await seedEndpoint(ds), 2000, 50));
    await recordAll(store, successes(warm, 50));
    for (const size of SIZES) {
      const endpointId = await seedEndpoint(ds);
      // The rows are made up before the clock starts: what is timed is the store alone.
      const batches = newDeliveries(endpointId, N, size);
      let jobs: DeliveryJob[] = [];
      const create = await measure(N, server?.pid, async () => {
        jobs = await createAll(store, batches);
      });
      const outcomes = successes(jobs, size);
      const record = await measure(N, server?.pid, () => recordAll(store, outcomes));
      const [check] = await ds.query<Array<{ n: number }>>(
        `SELECT count(*)::int AS n FROM webhook_deliveries WHERE endpoint_id = $1 AND status = 'succeeded'`,
        [endpointId],
      );
      if (check?.n !== N) throw new Error(`${check?.n ?? 0} of ${N} deliveries recorded as succeeded`);
      for (const [what, c] of [
        ['create deliveries', create],
        ['record outcomes', record],
      ] as const) {
        console.log(
          `  ${what.padEnd(18)} ${String(size).padStart(4)} per statement  wall ${us(c.wallUs)}  Postgres ${us(c.serverUs)}  client ${us(c.clientUs)}`,
        );
      }
    }
    for (const inFlight of IN_FLIGHT) {
      const endpointId = await seedEndpoint(ds);
      // Unleased, as deliveries are that arrive while their lane is full.
      await createAll(store, newDeliveries(endpointId, N, 2000, null));
      await ds.query('VACUUM ANALYZE webhook_deliveries');
      const hotBefore = await hotUpdates(ds);
      const c = await claimAll(store, endpointId, N, inFlight, server?.pid);
      // Outcomes change the status, so only claims can update a row in place.
      const hot = (await hotUpdates(ds)) - hotBefore;
      console.log(
        `  claim due         ${String(CLAIM).padStart(4)} per claim, ${fmt(inFlight).padStart(5)} in flight  wall ${us(c.wallUs)}  Postgres ${us(c.serverUs)}  client ${us(c.clientUs)}  in place ${((100 * hot) / N).toFixed(0).padStart(3)} %`,
      );
    }
    await ds.destroy();
  } finally {
    await server?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(`bench:delivery-store failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
