/**
 * npm run bench:api — authenticated `GET /api/v1/events?limit=50` against the gateway in
 * its own process (key lookup, scope check, rate limit, RLS-scoped keyset query, envelope),
 * beside a bare Fastify route serving a body of the same size, on the same machine in the
 * same run. Then the gateway again at half of its peak rate, for latency. Repeated polls
 * of one page are answered from the gateway's read cache (between two commits to the
 * tenant's read models every such read returns the same bytes). The last measurements run
 * a second gateway with the cache off (HERALD_READ_CACHE_MB=0), each request with a
 * different cursor taken from a walk of the whole feed, so every request reads Postgres
 * — what every fresh cursor costs, and every poll of a tenant whose read models change
 * continuously; peak and at half of it (a steady, open-loop load after a lead-in that
 * opens its connections: see `paced`), with the CPU each request cost the gateway and
 * Postgres.
 *
 *   BENCH_DURATION (seconds per measurement, default 10), BENCH_CONNECTIONS (default 32),
 *   BENCH_SEED_EVENTS (rows in the events read model, default 20000)
 *   BENCH_NODE_ARGS (given to the gateway's node, e.g. `--cpu-prof --cpu-prof-dir=DIR`)
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import autocannon from 'autocannon';
import { ApiKeysRepository } from '@herald/access';
import { publicEventId } from '@herald/contracts';
import { createDataSource, freePort, migrate, projectRoot, TenantsRepository } from '@herald/platform';
import {
  fmt,
  freshDb,
  processCpuSeconds,
  processTreeCpuSeconds,
  spawnNode,
  startEngines,
  stopChild,
  untilServing,
} from './support';
import { paced } from './paced-load';

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const SEED = Number(process.env.BENCH_SEED_EVENTS ?? 20_000);
const TENANT = 'bench';

interface Measured {
  /** Paced loads: how late the generator sent its 99th-percentile request (it shares the machine). */
  sendLagP99?: number;
  /** Paced loads: the generator's longest event-loop stall, ms. */
  generatorStallMax?: number;
  /** Paced loads: p99 of the unmeasured lead-in (connections opening), ms. */
  leadInP99?: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

async function load(
  url: string,
  headers: Record<string, string>,
  opts: { duration: number; rate?: number; paths?: readonly string[] },
): Promise<Measured> {
  const paths = opts.paths;
  let next = 0;
  const result = await autocannon({
    url,
    headers,
    connections: CONNECTIONS,
    duration: opts.duration,
    ...(opts.rate ? { overallRate: opts.rate } : {}),
    // Each request its own path, round the list.
    ...(paths
      ? {
          requests: [
            {
              setupRequest: (req: { path?: string }) => {
                req.path = paths[next++ % paths.length];
                return req;
              },
            },
          ],
        }
      : {}),
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

/** GET with arbitrary headers (fetch refuses to set Host, which selects the tenant). */
function httpGet(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

/** A probe for untilServing: the URL answers 200 (else its status and body). */
function ok(url: string, headers: Record<string, string>): () => Promise<true | string> {
  return async () => {
    const res = await httpGet(url, headers);
    return res.status === 200 ? true : `${res.status} ${res.body}`;
  };
}

/**
 * The path of every page of a walk of the whole feed, oldest first, `limit` events a page:
 * as many distinct cursors as pages, each a read no other request repeats soon.
 */
async function feedPaths(base: string, headers: Record<string, string>, limit: number): Promise<string[]> {
  const paths: string[] = [];
  let cursor: string | null = null;
  for (;;) {
    const res = await httpGet(`${base}?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, headers);
    if (res.status !== 200) throw new Error(`walking the feed: ${res.status} ${res.body}`);
    const page = JSON.parse(res.body) as { data: unknown[]; meta: { next_cursor: string | null } };
    if (page.data.length === 0 || !page.meta.next_cursor) return paths;
    cursor = encodeURIComponent(page.meta.next_cursor);
    paths.push(`/api/v1/events?limit=50&cursor=${cursor}`);
  }
}

/** The postmaster of the embedded Postgres under the engines' data dir, when it is there. */
function postmasterPid(dataDir: string): number | undefined {
  try {
    return Number(fs.readFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return undefined;
  }
}

/** CPU seconds of the gateway and of Postgres (all its processes) while `fn` runs. */
async function withCpu<T>(
  gatewayPid: number,
  pgPid: number | undefined,
  fn: () => Promise<T>,
): Promise<{ result: T; gateway: number; postgres: number | undefined }> {
  const g0 = processCpuSeconds(gatewayPid) ?? 0;
  const p0 = pgPid === undefined ? undefined : processTreeCpuSeconds(pgPid);
  const result = await fn();
  const g1 = processCpuSeconds(gatewayPid) ?? 0;
  const p1 = pgPid === undefined ? undefined : processTreeCpuSeconds(pgPid);
  return { result, gateway: g1 - g0, postgres: p0 === undefined || p1 === undefined ? undefined : p1 - p0 };
}

async function seed(dbUrl: string): Promise<string> {
  const ds = await createDataSource({ url: dbUrl, poolSize: 2 }).initialize();
  try {
    await migrate(ds);
    await new TenantsRepository(ds).create(TENANT);
    for (let i = 0; i < SEED; i += 5000) {
      const n = Math.min(5000, SEED - i);
      const ids = Array.from({ length: n }, (_, j) => publicEventId(TENANT, `bench-${i + j}`));
      await ds.query(
        // Feed positions as the projector writes them: one partition, offsets in order.
        `INSERT INTO events (log_partition, log_offset, log_time, id, tenant, type, created_at, data, subject_id)
         SELECT 0, $4::bigint + n, $5::bigint + n, id, $2, 'post.created', now(), $3::json, id
           FROM unnest($1::text[]) WITH ORDINALITY AS u(id, n) ORDER BY n`,
        [
          ids,
          TENANT,
          JSON.stringify({
            post_id: 1,
            thread_id: 1,
            forum_slug: 'general',
            title: 'A post of typical length for a forum thread',
            author: { id: 7, username: 'ada' },
          }),
          i,
          Date.now(),
        ],
      );
    }
    // A live system's autovacuum keeps statistics and the visibility map current; a bulk
    // load measured straight away would be planned on an empty table's statistics.
    await ds.query('VACUUM ANALYZE events');
    const created = await new ApiKeysRepository(ds).create({
      tenant: TENANT,
      scopes: ['events:read'],
      label: 'bench',
      // The benchmark measures throughput, not the limiter's refusals.
      rateLimitPerMinute: 1_000_000_000,
      actor: 'bench:api',
    });
    return created.key;
  } finally {
    await ds.destroy();
  }
}

function row(name: string, m: Measured): string {
  return (
    `  ${name.padEnd(44)} ${fmt(Math.round(m.rps)).padStart(7)} req/s   p50 ${String(m.p50).padStart(3)} ms   ` +
    `p99 ${String(m.p99).padStart(3)} ms${m.errors + m.non2xx > 0 ? `   (${m.errors} errors, ${m.non2xx} non-2xx)` : ''}` +
    // A generator that could not send on time measures its own lag, not the server's.
    (m.sendLagP99 !== undefined && (m.sendLagP99 > 2 || (m.generatorStallMax ?? 0) > 5)
      ? `   (load generator: 99% sent within ${m.sendLagP99} ms of due, longest stall ${m.generatorStallMax} ms)`
      : '') +
    (m.leadInP99 !== undefined ? `   (after a 1 s lead-in at that rate: its p99 ${m.leadInP99} ms)` : '')
  );
}

async function main(): Promise<void> {
  const engines = await startEngines();
  const children: ChildProcess[] = [];
  const bodyFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'herald-bench-api-')), 'body.json');
  try {
    const dbUrl = await freshDb(engines.adminDbUrl, `herald_bench_${Date.now().toString(36)}`);
    const key = await seed(dbUrl);

    const masterKey = randomBytes(32).toString('base64');
    const startGateway = async (
      extra: Record<string, string> = {},
    ): Promise<{ url: string; headers: Record<string, string>; child: ChildProcess }> => {
      const port = await freePort();
      const child = spawnNode(path.join(projectRoot(), 'dist/apps/gateway/src/main.js'), [], {
        PORT: String(port),
        DATABASE_URL: dbUrl,
        KAFKA_BROKERS: engines.brokers.join(','),
        HERALD_MASTER_KEY: masterKey,
        HERALD_SERVICE_TOKEN: randomBytes(24).toString('hex'),
        HERALD_DATA_DIR: engines.dataDir,
        ...extra,
      });
      children.push(child);
      const url = `http://127.0.0.1:${port}/api/v1/events?limit=50`;
      const headers = { host: `${TENANT}.localhost:${port}`, authorization: `Bearer ${key}` };
      await untilServing(child, 'gateway', ok(url, headers));
      return { url, headers, child };
    };
    const gateway = await startGateway();
    const { url: apiUrl, headers: apiHeaders } = gateway;
    const sample = (await httpGet(apiUrl, apiHeaders)).body;
    fs.writeFileSync(bodyFile, sample);

    const barePort = await freePort();
    const bare = spawnNode(path.join(projectRoot(), 'dist/bench/bare-fastify.js'), [], {
      PORT: String(barePort),
      BENCH_BODY_FILE: bodyFile,
    });
    children.push(bare);
    const bareUrl = `http://127.0.0.1:${barePort}/events`;
    await untilServing(bare, 'bare Fastify', ok(bareUrl, {}));

    console.log(
      `bench:api — GET /api/v1/events?limit=50 (${fmt(Buffer.byteLength(sample))}-byte page, ${fmt(SEED)} events), ` +
        `${CONNECTIONS} connections, ${DURATION} s per measurement`,
    );
    // Warm both servers (JIT, pools, caches) before measuring.
    await load(bareUrl, {}, { duration: 2 });
    await load(apiUrl, apiHeaders, { duration: 3 });

    const barePeak = await load(bareUrl, {}, { duration: DURATION });
    console.log(row('bare Fastify route, same body (peak)', barePeak));
    const apiPeak = await load(apiUrl, apiHeaders, { duration: DURATION });
    console.log(row('GET /api/v1/events?limit=50, authenticated (peak)', apiPeak));
    const half = Math.max(1, Math.round(apiPeak.rps / 2));
    // autocannon's bursts (see `paced`): its p99 here is an upper bound. The paced generator
    // costs more per request than autocannon and cannot offer this rate on this machine
    // beside the gateway (it prints how late it sent when it falls behind).
    const apiHalf = await load(apiUrl, apiHeaders, { duration: DURATION, rate: half });
    console.log(row(`  at half the peak rate (${fmt(half)} req/s offered)`, apiHalf));

    // Every page of the feed, 7 events apart: thousands of distinct cursors.
    const paths = await feedPaths(apiUrl.slice(0, apiUrl.indexOf('?')), apiHeaders, 7);
    await stopChild(gateway.child);
    const uncached = await startGateway({ HERALD_READ_CACHE_MB: '0' });
    const origin = uncached.url.slice(0, uncached.url.indexOf('/api/'));
    const pgPid = postmasterPid(engines.dataDir);
    await load(origin, uncached.headers, { duration: 3, paths });
    const peak = await withCpu(uncached.child.pid!, pgPid, () =>
      load(origin, uncached.headers, { duration: DURATION, paths }),
    );
    const uncachedPeak = peak.result;
    console.log(row(`read cache off, ${fmt(paths.length)} distinct cursors (peak)`, uncachedPeak));
    const uncachedHalfRate = Math.max(1, Math.round(uncachedPeak.rps / 2));
    const uncachedHalf = await paced({
      origin,
      headers: uncached.headers,
      duration: DURATION,
      rate: uncachedHalfRate,
      paths,
      connections: 2 * CONNECTIONS,
    });
    console.log(row(`  at half the peak rate (${fmt(uncachedHalfRate)} req/s offered)`, uncachedHalf));
    const served = uncachedPeak.rps * DURATION;
    const perRequest = (seconds: number | undefined): string =>
      seconds === undefined ? 'n/a' : `${fmt(Math.round((seconds * 1e6) / served))} µs`;
    console.log(
      `  CPU per uncached request at peak: gateway ${perRequest(peak.gateway)}, ` +
        `Postgres ${perRequest(peak.postgres)} (2 cores: ${fmt(Math.round(2e6 / uncachedPeak.rps))} µs of machine per request)`,
    );

    const ratio = apiPeak.rps / barePeak.rps;
    const uncachedRatio = uncachedPeak.rps / barePeak.rps;
    const met = (ok: boolean): string => (ok ? 'met' : 'NOT met');
    console.log(
      `  goals, cached: ≥ 5,000 req/s: ${met(apiPeak.rps >= 5000)}; ≥ 50% of bare Fastify: ` +
        `${met(ratio >= 0.5)} (${(ratio * 100).toFixed(0)}%); p99 ≤ 20 ms at half the peak: ${met(apiHalf.p99 <= 20)}`,
    );
    console.log(
      `  goals, uncached: ≥ 3,000 req/s: ${met(uncachedPeak.rps >= 3000)}; ≥ 25% of bare Fastify: ` +
        `${met(uncachedRatio >= 0.25)} (${(uncachedRatio * 100).toFixed(0)}%); p99 ≤ 20 ms at half the peak: ` +
        `${met(uncachedHalf.p99 <= 20)}`,
    );
    const failures = [apiPeak, apiHalf, uncachedPeak, uncachedHalf].reduce(
      (n, m) => n + m.errors + m.non2xx,
      0,
    );
    if (failures > 0) {
      throw new Error('the API answered errors under load; the figures above are not valid');
    }
  } finally {
    for (const child of children) await stopChild(child);
    fs.rmSync(path.dirname(bodyFile), { recursive: true, force: true });
    await engines.stop();
  }
}

main().catch((err: unknown) => {
  console.error(`bench:api failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
