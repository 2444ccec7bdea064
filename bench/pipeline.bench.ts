/**
 * npm run bench:pipeline — internal events appended through POST /internal/v1/events in
 * batches, until visible in the `events` read model; printed beside the raw kafkajs
 * produce rate and the raw batched Postgres insert rate measured in the same run.
 *
 * Sustained rate: BENCH_WARMUP_EVENTS (default 20000) go through the whole pipeline
 * first, unmeasured, so neither the roles' nor the broker's code is measured while the
 * JIT compiles it; then BENCH_EVENTS are timed from the first append.
 *
 *   BENCH_EVENTS (default 100000), BENCH_BATCH (1000), BENCH_CONCURRENCY (4),
 *   BENCH_LAYOUT: `roles` (default; commands, translator and projector each in their own
 *   process, as production runs them) or `dev` (every role in one `herald dev` process)
 */
import { randomUUID } from 'node:crypto';
import {
  createKafka,
  ensureTopics,
  HeraldProducer,
  createDataSource,
  migrate,
  TenantsRepository,
} from '@herald/platform';
import { Client } from 'pg';
import { Pool } from 'undici';
import type { DataSource } from 'typeorm';
import { fmt, freshDb, rate, startEngines, startHeraldDev, startHeraldRoles } from './support';

const N = Number(process.env.BENCH_EVENTS ?? 100_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const WARMUP = Number(process.env.BENCH_WARMUP_EVENTS ?? 20_000);
const LAYOUT = process.env.BENCH_LAYOUT === 'dev' ? 'dev' : 'roles';
const TOKEN = 'bench-service-token-'.padEnd(48, 'x');

function internalEvent(tenant: string, i: number): Record<string, unknown> {
  return {
    id: randomUUID(),
    tenant,
    kind: 'forum.post.created',
    occurred_at: new Date(Date.UTC(2026, 4, 28, 12, 0, 0, i % 1000)).toISOString().replace('Z', '123Z'),
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
  };
}

async function rawProduce(brokers: string[]): Promise<number> {
  const kafka = createKafka({ brokers, clientId: 'bench-raw' });
  const admin = kafka.admin();
  await admin.connect();
  const topic = `herald.internal.benchraw${Date.now()}.v1`;
  await ensureTopics(admin, { partitions: 6, retentionMs: 3_600_000 }, [
    { name: topic, role: 'internal' } as never,
  ]);
  const producer = new HeraldProducer(kafka);
  await producer.connect();
  const value = JSON.stringify(internalEvent('bench', 0));
  const started = performance.now();
  for (let i = 0; i < N; i += BATCH) {
    await producer.send(
      topic,
      Array.from({ length: Math.min(BATCH, N - i) }, (_, j) => ({ key: `bench:${i + j}`, value })),
    );
  }
  const ms = performance.now() - started;
  await producer.disconnect();
  await admin.deleteTopics({ topics: [topic] });
  await admin.disconnect();
  return rate(N, ms);
}

async function rawInsert(url: string): Promise<number> {
  const c = new Client({ connectionString: url });
  await c.connect();
  await c.query(
    `CREATE TABLE bench_raw (seq bigserial PRIMARY KEY, id text UNIQUE, tenant text, type text, created_at timestamptz, data json, subject_id text)`,
  );
  const data = JSON.stringify({
    post_id: 1,
    thread_id: 1,
    forum_slug: 'general',
    title: 'Post',
    author: { id: 1, username: 'u' },
  });
  const started = performance.now();
  for (let i = 0; i < N; i += BATCH) {
    const n = Math.min(BATCH, N - i);
    const ids = Array.from({ length: n }, (_, j) => `evt_${i + j}`);
    await c.query(
      `INSERT INTO bench_raw (id, tenant, type, created_at, data, subject_id)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::json[], $6::text[])`,
      [
        ids,
        ids.map(() => 'bench'),
        ids.map(() => 'post.created'),
        ids.map(() => '2026-05-28T12:00:00Z'),
        ids.map(() => data),
        ids,
      ],
    );
  }
  const ms = performance.now() - started;
  await c.query('DROP TABLE bench_raw');
  await c.end();
  return rate(N, ms);
}

async function endToEnd(
  brokers: string[],
  dbUrl: string,
  dataDir: string,
): Promise<{ ingest: number; e2e: number }> {
  const ds = await createDataSource({ url: dbUrl, poolSize: 2 }).initialize();
  await migrate(ds);
  const tenant = `bench${Date.now().toString(36)}`;
  await new TenantsRepository(ds).create(tenant);
  const env = {
    KAFKA_BROKERS: brokers.join(','),
    DATABASE_URL: dbUrl,
    HERALD_SERVICE_TOKEN: TOKEN,
    HERALD_DATA_DIR: dataDir,
  };
  const herald =
    LAYOUT === 'dev'
      ? await startHeraldDev(env)
      : await (async () => {
          const roles = await startHeraldRoles(['commands', 'translator', 'projector'], env);
          return { port: roles.ports.commands!, stop: roles.stop };
        })();
  const warmup = WARMUP > 0 ? await pass(herald.port, ds, tenant, WARMUP, N, 0) : undefined;
  const measured = await pass(herald.port, ds, tenant, N, 0, warmup?.total ?? 0);
  await herald.stop();
  await ds.destroy();
  return { ingest: rate(N, measured.ingestMs), e2e: rate(N, measured.e2eMs) };
}

/**
 * Appends `count` events (posts numbered from `first`) in batches over CONCURRENCY
 * connections and waits until the `events` read model holds them all (the tenant's rows
 * beyond the `before` it had).
 */
async function pass(
  port: number,
  ds: DataSource,
  tenant: string,
  count: number,
  first: number,
  before: number,
): Promise<{ ingestMs: number; e2eMs: number; total: number }> {
  const batches: string[] = [];
  for (let i = 0; i < count; i += BATCH) {
    batches.push(
      JSON.stringify(
        Array.from({ length: Math.min(BATCH, count - i) }, (_, j) => internalEvent(tenant, first + i + j)),
      ),
    );
  }
  // One keep-alive connection per concurrent request; undici's own API rather than fetch,
  // whose extra layers would take CPU from the roles on this machine.
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: CONCURRENCY });
  const started = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < batches.length) {
      const body = batches[next++]!;
      const res = await pool.request({
        method: 'POST',
        path: '/internal/v1/events',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body,
      });
      const text = await res.body.text();
      if (res.statusCode !== 202) throw new Error(`ingest failed: ${res.statusCode} ${text}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const ingestMs = performance.now() - started;
  await pool.close();
  // Polls every 100 ms, counting the tenant's rows on its primary key (an index-only scan
  // of one tenant's range), which stays small next to what the pipeline does meanwhile.
  let seen = 0;
  for (;;) {
    const [row] = await ds.query(`SELECT count(*)::int AS n FROM events WHERE tenant = $1`, [tenant]);
    const projected = (row as { n: number }).n - before;
    if (projected !== seen) {
      seen = projected;
      process.stderr.write(`\r  projected ${fmt(seen)} / ${fmt(count)}   `);
    }
    if (seen >= count) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const e2eMs = performance.now() - started;
  process.stderr.write('\n');
  return { ingestMs, e2eMs, total: before + seen };
}

async function main(): Promise<void> {
  const engines = await startEngines();
  try {
    const dbUrl = await freshDb(engines.adminDbUrl, `herald_bench_${Date.now().toString(36)}`);
    console.log(
      `bench:pipeline — ${fmt(N)} events after ${fmt(WARMUP)} unmeasured, batches of ${BATCH}, ${CONCURRENCY} concurrent requests, layout ${LAYOUT}`,
    );
    const produce = await rawProduce(engines.brokers);
    console.log(`  raw kafkajs produce (batched, idempotent)   ${fmt(produce).padStart(9)} events/s`);
    const insert = await rawInsert(dbUrl);
    console.log(`  raw Postgres insert (unnest, batched)       ${fmt(insert).padStart(9)} rows/s`);
    const { ingest, e2e } = await endToEnd(engines.brokers, dbUrl, engines.dataDir);
    console.log(`  ingest accepted (POST /internal/v1/events)  ${fmt(ingest).padStart(9)} events/s`);
    console.log(`  end to end (ingest → events read model)     ${fmt(e2e).padStart(9)} events/s`);
    console.log(
      `  ratios: e2e/raw produce ${(e2e / produce).toFixed(2)}, e2e/raw insert ${(e2e / insert).toFixed(2)}; goal ≥ 10,000 events/s: ${e2e >= 10_000 ? 'met' : 'NOT met'}`,
    );
  } finally {
    await engines.stop();
  }
}

main().catch((err: unknown) => {
  console.error(`bench:pipeline failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
