/**
 * Proof that kafkajs 2.2.4 works against the pinned Apache Kafka broker started by
 * libs/platform/src/kafka/embedded-kafka.ts. Reference script, to become an integration test.
 *
 *   npx tsx infra/kafka/proof/kafkajs-proof.ts            (from the repo root; needs java, mvn and kafkajs)
 *
 * Env: PROOF_KAFKA_PORT (default 39092), PROOF_KAFKA_CONTROLLER_PORT (39093), PROOF_KAFKA_HEAP.
 * Prints PASS/FAIL per step plus cold/warm start times and the broker RSS; exit code 1 on any FAIL.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  ConfigResourceTypes,
  type EachBatchPayload,
  Kafka,
  Partitioners,
  logLevel,
  type Admin,
  type Consumer,
} from 'kafkajs';
import {
  KAFKA_VERSION,
  startEmbeddedKafka,
  type EmbeddedKafka,
} from '../../../libs/platform/src/kafka/embedded-kafka';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const port = Number(process.env.PROOF_KAFKA_PORT ?? 39092);
const controllerPort = Number(process.env.PROOF_KAFKA_CONTROLLER_PORT ?? 39093);
const heap = process.env.PROOF_KAFKA_HEAP; // e.g. '-Xms128m -Xmx256m'; default: embedded-kafka's default

const results: { step: string; ok: boolean; detail: string }[] = [];
const metrics: Record<string, string> = {};

async function step<T>(name: string, fn: () => Promise<T>): Promise<T | undefined> {
  const t0 = Date.now();
  try {
    const value = await fn();
    const detail = typeof value === 'string' ? value : '';
    results.push({ step: name, ok: true, detail });
    console.log(`PASS  ${name} (${Date.now() - t0} ms)${detail ? ` - ${detail}` : ''}`);
    return value;
  } catch (err) {
    const detail = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    results.push({ step: name, ok: false, detail });
    console.log(`FAIL  ${name} (${Date.now() - t0} ms) - ${detail}`);
    return undefined;
  }
}

function assert(cond: boolean, msg: string): asserts cond {
  if (!cond) throw new Error(msg);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function rssMb(pid: number): string {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? NaN);
  return `${(kb / 1024).toFixed(0)} MB`;
}

async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

interface Seen {
  key: string;
  partition: number;
  offset: string;
}

/** Group consumer with eachBatch + autoCommit:false that commits offset+1 of each batch's last message. */
async function consumeGroup(
  kafka: Kafka,
  groupId: string,
  topic: string,
  expected: number,
  fromBeginning: boolean,
): Promise<{ consumer: Consumer; seen: Seen[]; joinMs: number }> {
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
  const seen: Seen[] = [];
  let joinedAt = 0;
  const t0 = Date.now();
  consumer.on(consumer.events.GROUP_JOIN, () => {
    joinedAt = Date.now();
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning });
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat }: EachBatchPayload) => {
      for (const m of batch.messages) {
        seen.push({ key: m.key?.toString() ?? '', partition: batch.partition, offset: m.offset });
        resolveOffset(m.offset);
      }
      const last = batch.messages[batch.messages.length - 1];
      if (last) {
        // Kafka convention: the committed offset is the *next* offset to read.
        await consumer.commitOffsets([
          { topic: batch.topic, partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() },
        ]);
      }
      await heartbeat();
    },
  });
  try {
    await waitFor(() => seen.length >= expected, 30_000, `${expected} messages in group ${groupId}`);
  } catch (err) {
    await consumer.disconnect();
    throw err;
  }
  return { consumer, seen, joinMs: joinedAt - t0 };
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-kafka-proof-'));
  console.log(
    `Apache Kafka ${KAFKA_VERSION}, kafkajs 2.2.4, data dir ${dataDir}, port ${port}, heap ${heap ?? 'default'}`,
  );
  const log = (line: string): void => console.log(`      ${line}`);
  let broker: EmbeddedKafka | undefined;

  try {
    // ---- start (cold) -------------------------------------------------------------------------
    broker = await step('cold start (format + start + describeCluster ready)', async () => {
      const t0 = Date.now();
      const b = await startEmbeddedKafka({
        repoRoot,
        dataDir,
        port,
        controllerPort,
        log,
        ...(heap ? { heap } : {}),
      });
      metrics['cold start'] = `${Date.now() - t0} ms`;
      return b;
    });
    if (!broker) return;
    const b0 = broker;

    const kafka = new Kafka({ clientId: 'herald-proof', brokers: b0.brokers, logLevel: logLevel.WARN });
    const admin: Admin = kafka.admin();
    await admin.connect();

    const topicA = 'proof.events';
    const topicB = 'proof.other';
    const N = 300;

    await step('admin.describeCluster', async () => {
      const c = await admin.describeCluster();
      assert(c.brokers.length === 1 && c.controller === 1, JSON.stringify(c));
      return `clusterId ${c.clusterId}, controller ${c.controller}`;
    });

    await step('admin.createTopics (numPartitions 3, retention.ms config)', async () => {
      const created = await admin.createTopics({
        waitForLeaders: true,
        topics: [
          { topic: topicA, numPartitions: 3, configEntries: [{ name: 'retention.ms', value: '604800000' }] },
          { topic: topicB, numPartitions: 3 },
        ],
      });
      assert(created, 'createTopics returned false');
      const again = await admin.createTopics({ topics: [{ topic: topicA, numPartitions: 3 }] });
      assert(!again, 'second createTopics should return false (already exists)');
      const md = await admin.fetchTopicMetadata({ topics: [topicA, topicB] });
      assert(
        md.topics.every((t) => t.partitions.length === 3),
        JSON.stringify(md),
      );
      return 'created 2 topics x 3 partitions; re-create returns false';
    });

    await step('admin.listTopics', async () => {
      const topics = await admin.listTopics();
      assert(topics.includes(topicA) && topics.includes(topicB), topics.join(','));
      return topics.join(', ');
    });

    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();

    await step(`idempotent producer sendBatch (${N} + ${N} msgs, 2 topics)`, async () => {
      const msgs = Array.from({ length: N }, (_, i) => ({
        key: `k${i % 17}`,
        value: JSON.stringify({ i }),
        headers: { 'herald-seq': String(i) },
      }));
      const res = await producer.sendBatch({
        acks: -1,
        topicMessages: [
          { topic: topicA, messages: msgs },
          { topic: topicB, messages: msgs.slice(0, 10) },
        ],
      });
      assert(
        res.every((r) => r.errorCode === 0),
        JSON.stringify(res),
      );
      const second = await producer.sendBatch({
        topicMessages: [{ topic: topicB, messages: msgs.slice(10) }],
      });
      assert(
        second.every((r) => r.errorCode === 0),
        JSON.stringify(second),
      );
      return `${res.length + second.length} partition results, all errorCode 0`;
    });

    const offsetsAfterProduce = await step('admin.fetchTopicOffsets', async () => {
      const offs = await admin.fetchTopicOffsets(topicA);
      const total = offs.reduce((s, o) => s + Number(o.high) - Number(o.low), 0);
      assert(total === N, `expected ${N} got ${total}: ${JSON.stringify(offs)}`);
      return offs;
    });
    if (offsetsAfterProduce) {
      console.log(`      ${offsetsAfterProduce.map((o) => `p${o.partition}:${o.low}..${o.high}`).join(' ')}`);
    }

    const groupId = 'proof-group';
    let consumer: Consumer | undefined;
    await step('consumer group eachBatch, autoCommit:false, manual commitOffsets(offset+1)', async () => {
      const r = await consumeGroup(kafka, groupId, topicA, N, true);
      consumer = r.consumer;
      assert(r.seen.length === N, `saw ${r.seen.length}`);
      metrics['first group join'] = `${r.joinMs} ms`;
      return `${r.seen.length} msgs over partitions ${[...new Set(r.seen.map((s) => s.partition))].sort().join(',')}; join took ${r.joinMs} ms`;
    });

    await step('admin.describeGroups (while consuming)', async () => {
      const d = await admin.describeGroups([groupId]);
      const g = d.groups[0];
      assert(g !== undefined && g.state === 'Stable' && g.members.length === 1, JSON.stringify(d));
      return `state ${g.state}, protocol ${g.protocol}, members ${g.members.length}`;
    });

    await step('admin.fetchOffsets == high watermarks', async () => {
      await sleep(200);
      const high = await admin.fetchTopicOffsets(topicA);
      const committed = await admin.fetchOffsets({ groupId, topics: [topicA] });
      const parts = committed[0]?.partitions ?? [];
      for (const h of high) {
        const c = parts.find((p) => p.partition === h.partition);
        assert(c?.offset === h.high, `p${h.partition}: committed ${c?.offset} != high ${h.high}`);
      }
      return parts.map((p) => `p${p.partition}=${p.offset}`).join(' ');
    });

    await step('consumer.stop + disconnect (group becomes Empty)', async () => {
      await consumer?.stop();
      await consumer?.disconnect();
      const d = await admin.describeGroups([groupId]);
      assert(d.groups[0]?.state === 'Empty', JSON.stringify(d.groups[0]));
      return `state ${d.groups[0]?.state}`;
    });

    await step(
      'admin.resetOffsets earliest -> restarted consumer (fromBeginning:true) re-reads all',
      async () => {
        await admin.resetOffsets({ groupId, topic: topicA, earliest: true });
        const after = await admin.fetchOffsets({ groupId, topics: [topicA] });
        const view = (after[0]?.partitions ?? []).map((p) => `p${p.partition}=${p.offset}`).join(' ');
        // kafkajs commits the sentinel -2 ("earliest"); its consumer treats any negative committed offset as
        // "no offset" and falls back to the subscription's fromBeginning flag, so the consumer must use
        // fromBeginning:true for the reset to take effect (see next step).
        const r = await consumeGroup(kafka, groupId, topicA, N, true);
        await sleep(500);
        await r.consumer.disconnect();
        assert(r.seen.length === N, `re-read ${r.seen.length}, expected ${N}`);
        return `offsets after reset: ${view}; re-read ${r.seen.length}`;
      },
    );

    await step(
      'kafkajs gotcha: resetOffsets earliest + consumer fromBeginning:false reads nothing',
      async () => {
        await admin.resetOffsets({ groupId, topic: topicA, earliest: true });
        const consumer2 = kafka.consumer({ groupId, maxWaitTimeInMs: 200 });
        const seen: string[] = [];
        await consumer2.connect();
        await consumer2.subscribe({ topics: [topicA], fromBeginning: false });
        await consumer2.run({
          autoCommit: false,
          eachMessage: async ({ message }) => void seen.push(message.offset),
        });
        await sleep(3_000);
        await consumer2.disconnect();
        assert(seen.length === 0, `read ${seen.length}`);
        return 'read 0 messages in 3 s (committed -2 is treated as "no offset" -> latest)';
      },
    );

    await step(
      'reset to earliest via setOffsets(low watermarks) works regardless of fromBeginning',
      async () => {
        const low = await admin.fetchTopicOffsets(topicA);
        await admin.setOffsets({
          groupId,
          topic: topicA,
          partitions: low.map((o) => ({ partition: o.partition, offset: o.low })),
        });
        const r = await consumeGroup(kafka, groupId, topicA, N, false);
        await sleep(500);
        await r.consumer.disconnect();
        assert(r.seen.length === N, `re-read ${r.seen.length}, expected ${N}`);
        return `re-read ${r.seen.length}`;
      },
    );

    await step('admin.setOffsets p0 -> consumer resumes exactly there', async () => {
      const high = await admin.fetchTopicOffsets(topicA);
      const p0 = high.find((h) => h.partition === 0);
      assert(p0 !== undefined && Number(p0.high) >= 5, 'p0 too small');
      const target = Number(p0.high) - 5;
      await admin.setOffsets({
        groupId,
        topic: topicA,
        partitions: [{ partition: 0, offset: String(target) }],
      });
      const r = await consumeGroup(kafka, groupId, topicA, 5, false);
      await sleep(500);
      await r.consumer.disconnect();
      assert(r.seen.length === 5 && r.seen.every((s) => s.partition === 0), JSON.stringify(r.seen));
      assert(r.seen[0]?.offset === String(target), `first offset ${r.seen[0]?.offset} != ${target}`);
      return `set p0=${target}, re-read 5 from p0`;
    });

    await step('admin.describeConfigs (topic + broker)', async () => {
      const cfg = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [
          { type: ConfigResourceTypes.TOPIC, name: topicA, configNames: ['retention.ms', 'cleanup.policy'] },
          { type: ConfigResourceTypes.BROKER, name: '1', configNames: ['auto.create.topics.enable'] },
        ],
      });
      const flat = cfg.resources.flatMap((r) =>
        r.configEntries.map((e) => `${e.configName}=${e.configValue}`),
      );
      assert(flat.includes('retention.ms=604800000'), flat.join(','));
      assert(flat.includes('auto.create.topics.enable=false'), flat.join(','));
      return flat.join(', ');
    });

    await step('admin.alterConfigs (topic retention.ms)', async () => {
      await admin.alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: ConfigResourceTypes.TOPIC,
            name: topicB,
            configEntries: [{ name: 'retention.ms', value: '3600000' }],
          },
        ],
      });
      // KRaft: the change goes through the controller and reaches the broker's metadata view
      // asynchronously, so poll describeConfigs instead of reading it once.
      const t0 = Date.now();
      let v: string | undefined;
      while (Date.now() - t0 < 5_000) {
        const cfg = await admin.describeConfigs({
          includeSynonyms: false,
          resources: [{ type: ConfigResourceTypes.TOPIC, name: topicB, configNames: ['retention.ms'] }],
        });
        v = cfg.resources[0]?.configEntries[0]?.configValue;
        if (v === '3600000') break;
        await sleep(50);
      }
      assert(v === '3600000', `retention.ms=${v}`);
      return `retention.ms=${v} visible after ${Date.now() - t0} ms`;
    });

    await step('admin.createPartitions 3 -> 4', async () => {
      await admin.createPartitions({ topicPartitions: [{ topic: topicB, count: 4 }] });
      const md = await admin.fetchTopicMetadata({ topics: [topicB] });
      assert(md.topics[0]?.partitions.length === 4, JSON.stringify(md));
      return '4 partitions';
    });

    await step('transactional producer (commit + abort) and read_committed consumer', async () => {
      const tx = kafka.producer({
        transactionalId: 'proof-tx',
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await tx.connect();
      const t1 = await tx.transaction();
      await t1.send({ topic: topicB, messages: [{ key: 'tx', value: 'committed' }] });
      await t1.commit();
      const t2 = await tx.transaction();
      await t2.send({ topic: topicB, messages: [{ key: 'tx', value: 'aborted' }] });
      await t2.abort();
      await tx.disconnect();
      const seen: string[] = [];
      const c = kafka.consumer({ groupId: 'proof-tx-reader', readUncommitted: false });
      await c.connect();
      await c.subscribe({ topics: [topicB], fromBeginning: true });
      await c.run({ eachMessage: async ({ message }) => void seen.push(message.value?.toString() ?? '') });
      await waitFor(() => seen.includes('committed'), 20_000, 'committed tx message');
      await sleep(500);
      await c.disconnect();
      assert(!seen.includes('aborted'), 'read an aborted message');
      return `read ${seen.length} msgs, 'committed' seen, 'aborted' hidden`;
    });

    await step('produce to non-existent topic fails (auto.create.topics.enable=false)', async () => {
      const p = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, retry: { retries: 1 } });
      await p.connect();
      let error: unknown;
      const t0 = Date.now();
      try {
        await p.send({ topic: 'proof.does-not-exist', messages: [{ value: 'x' }] });
      } catch (err) {
        error = err;
      } finally {
        await p.disconnect();
      }
      assert(error instanceof Error, 'send unexpectedly succeeded');
      const topics = await admin.listTopics();
      assert(!topics.includes('proof.does-not-exist'), 'topic was auto-created');
      return `${error.name}: ${error.message} (after ${Date.now() - t0} ms); topic not created`;
    });

    await step('admin.listGroups + deleteGroups', async () => {
      const groups = await admin.listGroups();
      const ids = groups.groups.map((g) => g.groupId);
      assert(ids.includes(groupId), ids.join(','));
      await admin.deleteGroups(['proof-tx-reader']);
      return ids.join(', ');
    });

    await step('admin.deleteTopics', async () => {
      await admin.deleteTopics({ topics: [topicB], timeout: 10_000 });
      const topics = await admin.listTopics();
      assert(!topics.includes(topicB), topics.join(','));
      return `${topicB} deleted`;
    });

    await producer.disconnect();
    await admin.disconnect();
    metrics['broker RSS after workload'] = rssMb(b0.pid);

    // ---- restart (warm) -------------------------------------------------------------------------
    await step('stop()', async () => {
      const t0 = Date.now();
      await b0.stop();
      assert(!fs.existsSync(path.join(dataDir, 'broker.pid')), 'pidfile not removed');
      metrics['stop'] = `${Date.now() - t0} ms`;
      return `${Date.now() - t0} ms`;
    });
    broker = undefined;

    broker = await step('warm start (existing data dir)', async () => {
      const t0 = Date.now();
      const b = await startEmbeddedKafka({
        repoRoot,
        dataDir,
        port,
        controllerPort,
        log,
        ...(heap ? { heap } : {}),
      });
      metrics['warm start'] = `${Date.now() - t0} ms`;
      metrics['broker RSS idle after warm start'] = rssMb(b.pid);
      return b;
    });
    if (!broker) return;
    const b1 = broker;

    await step('data + committed offsets survive restart', async () => {
      const k2 = new Kafka({ clientId: 'herald-proof-2', brokers: b1.brokers, logLevel: logLevel.WARN });
      const a2 = k2.admin();
      await a2.connect();
      try {
        const offs = await a2.fetchTopicOffsets(topicA);
        const total = offs.reduce((s, o) => s + Number(o.high), 0);
        assert(total === N, `high watermarks sum ${total}`);
        const committed = await a2.fetchOffsets({ groupId, topics: [topicA] });
        assert((committed[0]?.partitions.length ?? 0) === 3, JSON.stringify(committed));
        const topics = await a2.listTopics();
        assert(!topics.includes(topicB), 'deleted topic came back');
        await a2.deleteTopics({ topics: [topicA] });
        return `sum(high)=${total}, committed ${committed[0]?.partitions.map((p) => p.offset).join('/')}`;
      } finally {
        await a2.disconnect();
      }
    });

    // ---- embedded-kafka.ts behaviour ------------------------------------------------------------
    await step('stale broker in broker.pid is killed on next start', async () => {
      // Simulate a crashed caller: forget the handle (broker keeps running), then start again.
      const stalePid = b1.pid;
      const b = await startEmbeddedKafka({ repoRoot, dataDir, port, controllerPort });
      broker = b;
      assert(b.pid !== stalePid, 'same pid');
      let alive = true;
      try {
        process.kill(stalePid, 0);
      } catch {
        alive = false;
      }
      assert(!alive, `stale pid ${stalePid} still alive`);
      return `stale pid ${stalePid} stopped, new pid ${b.pid}`;
    });
    await broker?.stop();
    broker = undefined;

    await step('port in use by another process -> clear error', async () => {
      const srv = net.createServer();
      await new Promise<void>((r) => srv.listen(port, '127.0.0.1', r));
      try {
        await startEmbeddedKafka({ repoRoot, dataDir, port, controllerPort });
        throw new Error('start unexpectedly succeeded');
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        assert(msg.includes('already in use'), msg);
        return msg;
      } finally {
        await new Promise<void>((r) => srv.close(() => r()));
      }
    });

    await step('broker dies during startup -> immediate reject with log tail', async () => {
      const t0 = Date.now();
      try {
        // An unknown JVM option makes java exit immediately.
        await startEmbeddedKafka({
          repoRoot,
          dataDir,
          port,
          controllerPort,
          heap: '-XX:+HeraldNoSuchOption',
        });
        throw new Error('start unexpectedly succeeded');
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        assert(msg.includes('exited during startup') && msg.includes('HeraldNoSuchOption'), msg);
        assert(Date.now() - t0 < 10_000, 'took too long');
        return `${Date.now() - t0} ms: ${msg.split('\n')[0]}`;
      }
    });

    await step('readiness timeout -> child killed, error with log tail', async () => {
      try {
        await startEmbeddedKafka({ repoRoot, dataDir, port, controllerPort, readyTimeoutMs: 300 });
        throw new Error('start unexpectedly succeeded');
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        assert(msg.includes('not ready within 300 ms'), msg);
        assert(!fs.existsSync(path.join(dataDir, 'broker.pid')), 'pidfile left behind');
        return msg.split('\n')[0] ?? '';
      }
    });
  } finally {
    await broker?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main()
  .catch((err: unknown) => {
    console.error('proof crashed:', err);
    results.push({ step: 'main', ok: false, detail: String(err) });
  })
  .finally(() => {
    console.log('\nmetrics:');
    for (const [k, v] of Object.entries(metrics)) console.log(`  ${k}: ${v}`);
    const failed = results.filter((r) => !r.ok);
    console.log(`\n${results.length - failed.length} passed, ${failed.length} failed`);
    process.exitCode = failed.length > 0 ? 1 : 0;
  });
