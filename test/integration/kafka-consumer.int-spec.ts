/**
 * The Kafka layer against the real broker: explicit topic creation (auto-creation is
 * off), the idempotent producer, the consumer base's commit-after-effect, dead
 * letters for poison messages, retry without commit, lag, and offset resets.
 */
import { DeadLetterHeaders, TOPIC_SPECS, Topics, TopicSpec } from '@herald/contracts';
import {
  BatchContext,
  ConsumerSpec,
  createLogger,
  HandleResult,
  ensureTopics,
  groupLag,
  HeraldConsumer,
  HeraldProducer,
  PoisonMessageError,
} from '@herald/platform';
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { buildIfStale } from '../support/dispatcher-process';
import { REPO_ROOT } from '../support/herald-process';
import { eventually, testKafka, uniqueName } from '../support/infra';

const logger = createLogger({ level: 'silent' });

function decodeJson(message: KafkaMessage): { n: number } {
  const text = message.value?.toString('utf8') ?? '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new PoisonMessageError('malformed JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || typeof (parsed as { n?: unknown }).n !== 'number') {
    throw new PoisonMessageError('schema violation: n must be a number');
  }
  return parsed as { n: number };
}

describe('Kafka platform layer (real broker)', () => {
  let kafka: Kafka;
  let admin: Admin;
  let producer: HeraldProducer;
  const consumers: Array<HeraldConsumer<{ n: number }>> = [];

  beforeAll(async () => {
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, { partitions: 3, retentionMs: -1 });
    producer = new HeraldProducer(kafka);
    await producer.connect();
  });

  afterEach(async () => {
    for (const c of consumers.splice(0)) await c.stop();
  });

  afterAll(async () => {
    await producer.disconnect();
    await admin.disconnect();
  });

  async function topic(partitions = 3): Promise<string> {
    const name = `herald.internal.${uniqueName('t').replace('-', '')}.v1`;
    await ensureTopics(admin, { partitions, retentionMs: -1 }, [
      { name, role: 'internal' } as unknown as TopicSpec,
    ]);
    return name;
  }

  function consumer(
    groupId: string,
    topics: string[],
    handle: (values: number[], ctx: BatchContext) => Promise<void>,
  ): HeraldConsumer<{ n: number }> {
    const c = new HeraldConsumer<{ n: number }>(
      kafka,
      producer,
      {
        groupId,
        topics,
        fromBeginning: true,
        decode: decodeJson,
        handle: (msgs, ctx) =>
          handle(
            msgs.map((m) => m.value.n),
            ctx,
          ),
        retry: { initialMs: 50, maxMs: 200 },
      },
      logger,
    );
    consumers.push(c);
    return c;
  }

  it('creates every registry topic, with the configured partitions and retention', async () => {
    const topics = await admin.listTopics();
    for (const spec of TOPIC_SPECS) expect(topics).toContain(spec.name);
    const configs = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: 2, name: Topics.publicEvents, configNames: ['retention.ms', 'cleanup.policy'] }],
    });
    const entries = configs.resources[0]?.configEntries ?? [];
    expect(entries.find((e) => e.configName === 'retention.ms')?.configValue).toBe('-1');
    expect(entries.find((e) => e.configName === 'cleanup.policy')?.configValue).toBe('delete');
    // Idempotent: a second run creates nothing.
    expect(await ensureTopics(admin, { partitions: 3, retentionMs: -1 })).toEqual([]);

    const suffix = uniqueName('p').replace('-', '');
    const specs = [
      { name: `herald.internal.${suffix}.v1`, role: 'internal' },
      { name: `herald.internal.${suffix}dl.v1`, role: 'deadletter' },
    ] as unknown as TopicSpec[];
    expect(await ensureTopics(admin, { partitions: 4, retentionMs: 86_400_000 }, specs)).toHaveLength(2);
    const meta = await admin.fetchTopicMetadata({ topics: specs.map((s) => s.name) });
    expect(meta.topics.find((t) => t.name === specs[0]!.name)?.partitions).toHaveLength(4);
    expect(meta.topics.find((t) => t.name === specs[1]!.name)?.partitions).toHaveLength(1); // dead letters keep order
  });

  it('refuses to produce to a topic that was never created (auto-creation is off)', async () => {
    const missing = `herald.internal.${uniqueName('missing').replace('-', '')}.v1`;
    const quick = testKafka('herald-test-missing');
    const p = quick.producer({ allowAutoTopicCreation: true, retry: { retries: 1 } });
    await p.connect();
    await expect(p.send({ topic: missing, messages: [{ value: 'x' }] })).rejects.toThrow();
    await p.disconnect();
    expect(await admin.listTopics()).not.toContain(missing);
  });

  it('consumes in a group and commits offset + 1 only after the handler resolved', async () => {
    const t = await topic(3);
    await producer.send(
      t,
      Array.from({ length: 30 }, (_, i) => ({ key: `k${i % 5}`, value: JSON.stringify({ n: i }) })),
    );
    const seen: number[] = [];
    const calls: Array<Array<{ partition: number; first: string; last: string }>> = [];
    const groupId = uniqueName('group');
    await consumer(groupId, [t], async (values, ctx) => {
      seen.push(...values);
      calls.push(
        ctx.ranges.map((r) => ({ partition: r.partition, first: r.firstOffset, last: r.lastOffset })),
      );
    }).start();
    await eventually(async () => seen.length >= 30);
    const lag = await eventually(async () => {
      const l = await groupLag(admin, groupId, [t]);
      return l.every((p) => p.lag === 0) ? l : undefined;
    });
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    const committed = await admin.fetchOffsets({ groupId, topics: [t] });
    const ends = await admin.fetchTopicOffsets(t);
    for (const p of committed[0]!.partitions) {
      expect(p.offset).toBe(ends.find((e) => e.partition === p.partition)!.high); // last offset + 1
    }
    expect(lag).toHaveLength(3);
    // Everything was there before the group joined: one fetch, every partition with data in one call.
    const withData = ends.filter((e) => e.high !== '0').map((e) => e.partition);
    expect(withData.length).toBeGreaterThan(1);
    expect(calls[0]!.map((r) => r.partition).sort()).toEqual(withData.sort());
    for (const r of calls[0]!) {
      expect(r.first).toBe('0');
      expect(BigInt(r.last) + 1n).toBe(BigInt(ends.find((e) => e.partition === r.partition)!.high));
    }
  });

  it('dead-letters poison messages with their reason and keeps going', async () => {
    const t = await topic(1);
    await producer.send(t, [
      { key: 'a', value: JSON.stringify({ n: 1 }) },
      { key: 'b', value: '{not json' },
      { key: 'c', value: JSON.stringify({ n: 'three' }) },
      { key: 'd', value: JSON.stringify({ n: 4 }) },
    ]);
    const seen: number[] = [];
    const groupId = uniqueName('dlq-group');
    const c = consumer(groupId, [t], async (values) => {
      seen.push(...values);
    });
    await c.start();
    await eventually(async () => seen.length >= 2);
    expect(seen).toEqual([1, 4]);

    const dead: Array<{ key: string; reason: string; offset: string; group: string }> = [];
    const reader = kafka.consumer({ groupId: uniqueName('dlq-reader'), maxWaitTimeInMs: 500 });
    await reader.connect();
    await reader.subscribe({ topic: Topics.deadLetter, fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) => {
        const h = message.headers ?? {};
        if (h[DeadLetterHeaders.sourceTopic]?.toString() !== t) return;
        dead.push({
          key: message.key?.toString() ?? '',
          reason: h[DeadLetterHeaders.reason]?.toString() ?? '',
          offset: h[DeadLetterHeaders.sourceOffset]?.toString() ?? '',
          group: h[DeadLetterHeaders.consumerGroup]?.toString() ?? '',
        });
      },
    });
    await eventually(async () => dead.length >= 2);
    await reader.disconnect();
    expect(dead).toEqual([
      { key: 'b', reason: 'malformed JSON', offset: '1', group: groupId },
      { key: 'c', reason: 'schema violation: n must be a number', offset: '2', group: groupId },
    ]);
    expect(c.stats.deadLettered).toBe(2);
    await eventually(async () => (await groupLag(admin, groupId, [t]))[0]?.lag === 0);
  });

  it('retries a failing handler without committing, then commits once it succeeds', async () => {
    const t = await topic(1);
    await producer.send(t, [{ key: 'x', value: JSON.stringify({ n: 7 }) }]);
    let calls = 0;
    const groupId = uniqueName('retry-group');
    const c = consumer(groupId, [t], async () => {
      calls++;
      if (calls < 3) {
        // While failing, nothing may be committed.
        const offsets = await admin.fetchOffsets({ groupId, topics: [t] });
        expect(offsets[0]?.partitions[0]?.offset).toBe('-1');
        throw new Error('database unavailable');
      }
    });
    await c.start();
    await eventually(async () => (await groupLag(admin, groupId, [t]))[0]?.committed === '1');
    expect(calls).toBe(3);
    expect(c.stats.failedBatches).toBe(2);
  });

  it('re-delivers what a stopped member had not committed, and re-reads everything after a reset', async () => {
    const t = await topic(1);
    await producer.send(
      t,
      Array.from({ length: 5 }, (_, i) => ({ key: 'k', value: JSON.stringify({ n: i }) })),
    );
    const groupId = uniqueName('reset-group');

    // First member: the handler never completes (a crash mid-batch), so nothing is committed.
    let release!: () => void;
    const stuck = new Promise<void>((r) => (release = r));
    let started = false;
    const first = consumer(groupId, [t], async () => {
      started = true;
      await stuck;
      throw new Error('crashed');
    });
    await first.start();
    await eventually(async () => started);
    release();
    await first.stop();
    consumers.splice(consumers.indexOf(first), 1);
    expect((await admin.fetchOffsets({ groupId, topics: [t] }))[0]?.partitions[0]?.offset).toBe('-1');

    const second: number[] = [];
    await consumer(groupId, [t], async (v) => {
      second.push(...v);
    }).start();
    await eventually(async () => second.length >= 5);
    expect(second).toEqual([0, 1, 2, 3, 4]);
    await eventually(async () => (await groupLag(admin, groupId, [t]))[0]?.lag === 0);
    for (const c of consumers.splice(0)) await c.stop();

    // Operators rebuild by resetting the group (no running members) to the earliest offset.
    await admin.resetOffsets({ groupId, topic: t, earliest: true });
    const third: number[] = [];
    await consumer(groupId, [t], async (v) => {
      third.push(...v);
    }).start();
    await eventually(async () => third.length >= 5);
    expect(third).toEqual([0, 1, 2, 3, 4]);
    for (const c of consumers.splice(0)) await c.stop();

    // …or to an explicit offset.
    await admin.setOffsets({ groupId, topic: t, partitions: [{ partition: 0, offset: '3' }] });
    const fourth: number[] = [];
    await consumer(groupId, [t], async (v) => {
      fourth.push(...v);
    }).start();
    await eventually(async () => fourth.length >= 2);
    expect(fourth).toEqual([3, 4]);
  });

  it('reads past a backlog: the newest records go on at once, the rest in chunks between calls, committed only as far as durable', async () => {
    const t = await topic(1);
    const BACKLOG = 1_000;
    const MAX_LAG = 100;
    const CHUNK = 50;
    const UNDURABLE_FROM = 600;
    await producer.send(
      t,
      Array.from({ length: BACKLOG }, (_, i) => ({ key: 'k', value: JSON.stringify({ n: i }) })),
    );
    const groupId = uniqueName('skip-group');
    const skipping = (
      handle: (values: number[]) => Promise<HandleResult | undefined>,
    ): HeraldConsumer<{ n: number }> => {
      const c = new HeraldConsumer<{ n: number }>(
        kafka,
        producer,
        {
          groupId,
          topics: [t],
          fromBeginning: true,
          decode: decodeJson,
          skipAhead: { maxLag: MAX_LAG, chunk: CHUNK },
          handle: async (msgs) => handle(msgs.map((m) => m.value.n)),
          retry: { initialMs: 50, maxMs: 200 },
        },
        logger,
      );
      consumers.push(c);
      return c;
    };

    // The first fetch finds the partition BACKLOG records behind: all but its last MAX_LAG / 2
    // are passed over. What the first member makes of those from UNDURABLE_FROM on never
    // becomes durable (a write that never completes), so nothing from there on may ever be
    // committed, however far the member gets past them.
    const resumedAt = BACKLOG - MAX_LAG / 2;
    const calls: number[][] = [];
    const never = new Promise<void>(() => undefined);
    // Every call also looks at what the group has committed so far.
    let committedMax = -1;
    const committedNow = async (): Promise<number> =>
      Number((await admin.fetchOffsets({ groupId, topics: [t] }))[0]!.partitions[0]!.offset);
    const first = skipping(async (values) => {
      calls.push(values);
      committedMax = Math.max(committedMax, await committedNow());
      return values.some((n) => n >= UNDURABLE_FROM && n < resumedAt) ? { durable: never } : undefined;
    });
    await first.start();
    await eventually(async () => first.stats.passedOver === resumedAt);
    await producer.send(t, [{ key: 'k', value: JSON.stringify({ n: 5_000 }) }]);
    const seen = (): Set<number> => new Set(calls.flat());
    const all = [...Array.from({ length: BACKLOG }, (_, i) => i), 5_000];
    await eventually(async () => all.every((n) => seen().has(n)));
    // What was passed over came back through the reader, a chunk per call, apart from the rest.
    for (const call of calls.filter((c) => c.some((n) => n < resumedAt))) {
      expect(call.length).toBeLessThanOrEqual(CHUNK);
      expect(call.every((n) => n < resumedAt)).toBe(true);
    }
    await first.stop();
    consumers.splice(consumers.indexOf(first), 1);
    const committed = await committedNow();
    // Durable up to some chunk at or before UNDURABLE_FROM; the newest records, handled long
    // before, were never committed past it.
    expect(committed).toBeGreaterThan(0);
    expect(committed).toBeLessThanOrEqual(UNDURABLE_FROM);
    expect(committedMax).toBeLessThanOrEqual(committed);

    // The next member reads everything from there again, and commits to the end.
    const again: number[] = [];
    await skipping(async (values) => {
      again.push(...values);
      return undefined;
    }).start();
    const rest = all.filter((n) => n >= committed);
    await eventually(async () => rest.every((n) => again.includes(n)));
    await eventually(async () => (await groupLag(admin, groupId, [t]))[0]?.lag === 0);
  }, 60_000);

  /**
   * A consumer of `t` that skips ahead: its calls are kept by kind, and the first call of
   * records passed over holds their reader until the test lets it go (later ones do not).
   */
  function heldSkipper(t: string, skipAhead: NonNullable<ConsumerSpec<{ n: number }>['skipAhead']>) {
    const calls = { own: [] as number[][], passedOver: [] as number[][], ahead: [] as number[][] };
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const c = new HeraldConsumer<{ n: number }>(
      kafka,
      producer,
      {
        groupId: uniqueName('held-group'),
        topics: [t],
        fromBeginning: true,
        decode: decodeJson,
        skipAhead,
        handle: async (msgs, ctx) => {
          const values = msgs.map((m) => m.value.n);
          if (ctx.ahead) calls.ahead.push(values);
          else if (!ctx.passedOver) calls.own.push(values);
          else {
            calls.passedOver.push(values);
            if (calls.passedOver.length === 1) return { holdBacklog: gate };
          }
          return undefined;
        },
      },
      logger,
    );
    consumers.push(c);
    return { c, calls, release };
  }

  /** Lets the held reader go: the first `passedOver` records all come, in order, and the group commits to the end. */
  async function releaseAndDrain(held: ReturnType<typeof heldSkipper>, passedOver: number): Promise<void> {
    held.release();
    await eventually(async () => new Set(held.calls.passedOver.flat()).size === passedOver);
    expect(held.calls.passedOver.flat().sort((a, b) => a - b)).toEqual(
      Array.from({ length: passedOver }, (_, i) => i),
    );
    await eventually(async () => (await groupLag(admin, held.c.groupId, [...held.c.topics]))[0]?.lag === 0);
  }

  it('reads on past a backlog only as its handler lets it, while its own calls go on', async () => {
    const t = await topic(1);
    const BACKLOG = 500;
    const CHUNK = 50;
    await producer.send(
      t,
      Array.from({ length: BACKLOG }, (_, i) => ({ key: 'k', value: JSON.stringify({ n: i }) })),
    );
    const held = heldSkipper(t, { maxLag: 100, chunk: CHUNK });
    const { c, calls } = held;
    await c.start();
    await eventually(async () => calls.passedOver.length === 1);
    // Held: new records are handled as they come, the backlog's next chunk is not.
    await producer.send(t, [{ key: 'k', value: JSON.stringify({ n: 5_000 }) }]);
    await eventually(async () => calls.own.some((call) => call.includes(5_000)));
    expect(calls.passedOver).toHaveLength(1);
    expect(calls.passedOver[0]).toHaveLength(CHUNK);
    await releaseAndDrain(held, BACKLOG - 50);
  }, 60_000);

  it('hands records of other groups passed over with a backlog ahead of it, while its reader is held', async () => {
    const t = await topic(1);
    const BACKLOG = 3_000;
    const CHUNK = 50;
    // Records of some 250 bytes, sent 300 at a time: the consumer's first fetch (256 KiB)
    // holds the first of them, and the scout reads the rest of the range from the log.
    const others = [150, 1_500, 2_900];
    for (let from = 0; from < BACKLOG; from += 300) {
      await producer.send(
        t,
        Array.from({ length: 300 }, (_, j) => ({
          key: 'k',
          value: JSON.stringify({ n: from + j, pad: 'x'.repeat(220) }),
          headers: { g: others.includes(from + j) ? 'b' : 'a' },
        })),
      );
    }
    const held = heldSkipper(t, { maxLag: 100, chunk: CHUNK, groupOf: (m) => m.headers?.g?.toString() });
    const { c, calls } = held;
    await c.start();
    // The reader is held at its first chunk, far before them: the other group's records
    // are handed over ahead of the range, and none of the backlog's.
    await eventually(async () => calls.ahead.flat().length >= others.length);
    expect(calls.ahead.flat().sort((a, b) => a - b)).toEqual(others);
    expect(calls.passedOver).toHaveLength(1);
    expect(c.stats.handedAhead).toBe(others.length);
    // They come again, in order, with their range; and the group commits to the end.
    await releaseAndDrain(held, BACKLOG - 50);
    expect(calls.ahead.flat()).toHaveLength(others.length);
  }, 60_000);

  it('holds the next call back for a busy cycle after a large call, and not after a small one', async () => {
    const t = await topic(1);
    const PER_RECORD_MS = 20;
    const MAX_MS = 2_000;
    const calls: Array<{ at: number; n: number }> = [];
    let next = 1_000;
    const c = new HeraldConsumer<{ n: number }>(
      kafka,
      producer,
      {
        groupId: uniqueName('cycle'),
        topics: [t],
        fromBeginning: true,
        decode: decodeJson,
        minCycleMs: 0,
        busyCycle: { perRecordMs: PER_RECORD_MS, maxMs: MAX_MS },
        handle: async (msgs) => {
          calls.push({ at: performance.now(), n: msgs.length });
          // The next record is there while this call's cycle runs: only the cycle holds it back.
          if (calls.length < 3) await producer.send(t, [{ key: 'k', value: JSON.stringify({ n: next++ }) }]);
        },
      },
      logger,
    );
    consumers.push(c);
    // A large first call (100 records: a cycle of MAX_MS), then two single records.
    await producer.send(
      t,
      Array.from({ length: 100 }, (_, i) => ({ key: 'k', value: JSON.stringify({ n: i }) })),
    );
    await c.start();
    await eventually(async () => calls.length >= 3, 30_000);
    expect(calls.map((x) => x.n)).toEqual([100, 1, 1]);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(MAX_MS - 1);
    // One record: a cycle of PER_RECORD_MS, so the third call follows at the fetch's pace.
    expect(calls[2]!.at - calls[1]!.at).toBeLessThan(MAX_MS / 2);
  });

  it('has every role produce with the linear per-partition grouping (node, as the roles run), unless fast paths are off', () => {
    buildIfStale();
    for (const [fastPaths, linear] of [
      ['1', 'true'],
      ['0', 'false'],
    ]) {
      for (const role of ['commands', 'translator', 'projector', 'dispatcher', 'gateway']) {
        const module = path.join(REPO_ROOT, 'dist/apps', role, 'src', `${role}.module.js`);
        const preload = path.join(REPO_ROOT, 'dist/libs/platform/src/kafka/wire/kafkajs-preload.js');
        const res = spawnSync(
          process.execPath,
          [
            '-e',
            `require(${JSON.stringify(module)});
             const used = require('kafkajs/src/producer/groupMessagesPerPartition');
             process.stdout.write(String(used === require(${JSON.stringify(preload)}).groupMessagesPerPartition));`,
          ],
          { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, HERALD_FAST_PATHS: fastPaths } },
        );
        expect([role, fastPaths, res.stdout, res.stderr]).toEqual([role, fastPaths, linear, '']);
      }
    }
  });
});
