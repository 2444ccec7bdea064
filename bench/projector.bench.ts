/**
 * npm run bench:projector — each projection alone, then all three in one group (as the
 * projector runs them), rebuilding from a backlog of public events already on the topic
 * (no ingest, no translator): events/s per read model and for the three together.
 *   BENCH_EVENTS (default 100000)
 */
import { Topics } from '@herald/contracts';
import { allProjections, ProjectionRunner } from '@herald/events';
import {
  createDataSource,
  createKafka,
  createLogger,
  ensureTopics,
  HeraldProducer,
  migrate,
  StandaloneConsumerFactory,
  TenantsRepository,
} from '@herald/platform';
import { fmt, freshDb, rate, startEngines } from './support';

const N = Number(process.env.BENCH_EVENTS ?? 100_000);

async function main(): Promise<void> {
  const engines = await startEngines();
  try {
    const kafka = createKafka({ brokers: engines.brokers, clientId: 'bench-projector' });
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, { partitions: 6, retentionMs: -1 });
    const producer = new HeraldProducer(kafka);
    await producer.connect();
    const tenant = `bench${Date.now().toString(36)}`;
    for (let start = 0; start < N; start += 5000) {
      const messages = [];
      for (let i = start; i < Math.min(N, start + 5000); i++) {
        const user = (i % 1000) + 1;
        const kind = i % 4;
        const data =
          kind === 0
            ? { user: { id: user, username: `u${user}`, display_name: `n${i}` } }
            : {
                post_id: i + 1,
                thread_id: 1,
                forum_slug: 'general',
                title: `t${i}`,
                author: { id: user, username: `u${user}` },
              };
        messages.push({
          key: `${tenant}:${kind === 0 ? user : i + 1}`,
          value: JSON.stringify({
            id: `evt_${String(i).padStart(26, '0')}`,
            type: kind === 0 ? 'user.updated' : 'post.created',
            created_at: '2026-05-28T12:00:00.000000Z',
            data,
          }),
          headers: { 'herald-tenant': tenant },
        });
      }
      await producer.send(Topics.publicEvents, messages);
    }
    const ends = await admin.fetchTopicOffsets(Topics.publicEvents);
    const end = ends.reduce((s, e) => s + Number(e.high), 0);
    console.log(`bench:projector — ${fmt(N)} public events on ${ends.length} partitions`);
    const url = await freshDb(engines.adminDbUrl, `herald_bench_${Date.now().toString(36)}`);
    const ds = await createDataSource({ url, poolSize: 4 }).initialize();
    await migrate(ds);
    await new TenantsRepository(ds).create(tenant);
    const logger = createLogger({ level: 'warn' });
    const alone = allProjections().map((p) => ({ label: p.name, projections: [p] }));
    for (const { label, projections } of [
      ...alone,
      { label: 'all three in one group', projections: allProjections() },
    ]) {
      const runner = new ProjectionRunner(
        projections,
        new StandaloneConsumerFactory(kafka, producer, logger),
        ds,
        logger,
        { groupId: `bench.projector.${label.replace(/ /g, '-')}` },
      );
      if (projections.length > 1) {
        // The read models are filled already: start them over, as a rebuild of all three would.
        await ds.query(`TRUNCATE events, users, posts`);
        await ds.query(`DELETE FROM projection_checkpoints`);
      }
      const names = projections.map((p) => p.name);
      const started = performance.now();
      await runner.start();
      for (;;) {
        const [row] = await ds.query(
          `SELECT coalesce(min(n), 0)::bigint AS n FROM (
             SELECT projection, sum(next_offset) AS n FROM projection_checkpoints
              WHERE projection = ANY($1::text[]) GROUP BY projection) s
            HAVING count(*) = $2`,
          [names, names.length],
        );
        if (Number((row as { n: string } | undefined)?.n ?? 0) >= end) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      const ms = performance.now() - started;
      await runner.stop();
      console.log(
        `  ${label.padEnd(22)} ${fmt(rate(end, ms)).padStart(9)} events/s  (${(ms / 1000).toFixed(1)} s incl. group join)`,
      );
    }
    await producer.disconnect();
    await admin.disconnect();
    await ds.destroy();
  } finally {
    await engines.stop();
  }
}

main().catch((err: unknown) => {
  console.error(`bench:projector failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
