/**
 * HeraldConsumer when kafkajs gives up on its consumer (a crash it will not restart, such
 * as KafkaJSGroupCoordinatorNotFound while the broker restarts): the consumer is replaced
 * by a new one, with backoff while that fails, and only while running. The Kafka port is
 * faked here; the integration tier runs the consumer against the real broker.
 */
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import pino from 'pino';
import { COMMIT_INTERVAL_MS, ConsumerSpec, HandleResult, HeraldConsumer } from './consumer';
import type { HeraldProducer } from './producer';

type Listener = (event: { payload: Record<string, unknown> }) => void;

class FakeConsumer {
  readonly events = { GROUP_JOIN: 'consumer.group_join', CRASH: 'consumer.crash' };
  readonly listeners = new Map<string, Listener[]>();
  connected = false;
  running = false;
  failConnect = false;
  connect = jest.fn(async () => {
    if (this.failConnect) throw new Error('broker unavailable');
    this.connected = true;
  });
  subscribe = jest.fn(async () => undefined);
  eachBatch: ((payload: EachBatchPayload) => Promise<void>) | undefined;
  run = jest.fn(async (opts: { eachBatch: (payload: EachBatchPayload) => Promise<void> }) => {
    this.eachBatch = opts.eachBatch;
    this.running = true;
  });
  disconnect = jest.fn(async () => {
    this.connected = false;
    this.running = false;
  });
  pause = jest.fn();
  resume = jest.fn();
  seek = jest.fn();
  commitOffsets = jest.fn(async () => undefined);
  on(event: string, listener: Listener): void {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
  }
  emit(event: string, payload: Record<string, unknown>): void {
    for (const l of this.listeners.get(event) ?? []) l({ payload });
  }
}

function setup(
  failingConnects = 0,
  handle: () => Promise<HandleResult | void> = async () => undefined,
  extra: Partial<ConsumerSpec<string>> = {},
): { consumer: HeraldConsumer<string>; created: FakeConsumer[] } {
  const created: FakeConsumer[] = [];
  const kafka = {
    consumer: () => {
      const c = new FakeConsumer();
      // The first consumer starts; its replacements fail `failingConnects` times.
      if (created.length > 0 && created.length <= failingConnects) c.failConnect = true;
      created.push(c);
      return c as unknown as Consumer;
    },
  } as unknown as Kafka;
  const consumer = new HeraldConsumer<string>(
    kafka,
    {} as HeraldProducer,
    {
      groupId: 'herald.test',
      topics: ['herald.internal.test.v1'],
      fromBeginning: true,
      decode: () => 'x',
      handle,
      ...extra,
    },
    pino({ level: 'silent' }),
  );
  return { consumer, created };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
  expect(check()).toBe(true);
}

describe('HeraldConsumer after a crash kafkajs will not restart', () => {
  it('leaves a crash kafkajs restarts itself to kafkajs', async () => {
    const { consumer, created } = setup();
    await consumer.start();
    created[0]!.emit('consumer.crash', { error: new Error('retriable'), restart: true });
    await new Promise((r) => setImmediate(r));
    expect(created).toHaveLength(1);
    expect(consumer.stats.replaced).toBe(0);
    await consumer.stop();
  });

  it('replaces the consumer, subscribed to the same topics and running', async () => {
    const { consumer, created } = setup();
    await consumer.start();
    created[0]!.emit('consumer.crash', {
      error: new Error('KafkaJSGroupCoordinatorNotFound'),
      restart: false,
    });
    await until(() => created[1]?.running === true);
    expect(created).toHaveLength(2);
    expect(created[0]!.disconnect).toHaveBeenCalled();
    expect(created[1]!.subscribe).toHaveBeenCalledWith({
      topics: ['herald.internal.test.v1'],
      fromBeginning: true,
    });
    expect(consumer.stats.replaced).toBe(1);
    // The dead one's events no longer count; the new one's do.
    created[0]!.emit('consumer.crash', { error: new Error('late'), restart: false });
    await new Promise((r) => setImmediate(r));
    expect(created).toHaveLength(2);
    await consumer.stop();
    expect(created[1]!.disconnect).toHaveBeenCalled();
  });

  it('retries with backoff while the replacement cannot start', async () => {
    const { consumer, created } = setup(2);
    await consumer.start();
    created[0]!.emit('consumer.crash', { error: new Error('gone'), restart: false });
    await until(() => created[3]?.running === true);
    expect(created.map((c) => c.running)).toEqual([false, false, false, true]);
    expect(consumer.stats.replaced).toBe(1);
    await consumer.stop();
  });

  it('does not replace a consumer that is being stopped', async () => {
    const { consumer, created } = setup();
    await consumer.start();
    await consumer.stop();
    created[0]!.emit('consumer.crash', { error: new Error('gone'), restart: false });
    await new Promise((r) => setImmediate(r));
    expect(created).toHaveLength(1);
  });
});

/** One partition batch of one message, as kafkajs hands it to eachBatch (`end`: the partition's end). */
function batchOf(partition: number, offset: string, end = String(BigInt(offset) + 1n)): EachBatchPayload {
  return {
    batch: {
      topic: 'herald.internal.test.v1',
      partition,
      messages: [{ offset, key: null, value: Buffer.from('x'), timestamp: '0', headers: {} }],
      firstOffset: () => offset,
      lastOffset: () => offset,
      highWatermark: end,
    },
    resolveOffset: jest.fn(),
    heartbeat: async () => undefined,
    isRunning: () => true,
    isStale: () => false,
  } as unknown as EachBatchPayload;
}

describe('HeraldConsumer with durable work pending', () => {
  afterEach(() => jest.useRealTimers());

  it('commits a call once its durable work is done, and no later call before it', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    let finish: () => void = () => undefined;
    const pending = new Promise<void>((resolve) => (finish = resolve));
    const results: Array<HandleResult | void> = [{ durable: pending }, undefined];
    const { consumer, created } = setup(0, async () => results.shift());
    await consumer.start();
    const kafka = created[0]!;
    // Call 1 (partition 0) leaves its durable work pending; call 2 (partition 1) has none.
    await kafka.eachBatch!(batchOf(0, '41'));
    await kafka.eachBatch!(batchOf(1, '7'));
    jest.advanceTimersByTime(COMMIT_INTERVAL_MS * 5);
    await new Promise((r) => setImmediate(r));
    expect(kafka.commitOffsets).not.toHaveBeenCalled();

    finish();
    await new Promise((r) => setImmediate(r));
    jest.advanceTimersByTime(COMMIT_INTERVAL_MS);
    await new Promise((r) => setImmediate(r));
    expect(kafka.commitOffsets).toHaveBeenCalledTimes(1);
    expect(kafka.commitOffsets).toHaveBeenCalledWith([
      { topic: 'herald.internal.test.v1', partition: 0, offset: '42' },
      { topic: 'herald.internal.test.v1', partition: 1, offset: '8' },
    ]);
    jest.useRealTimers();
    await consumer.stop();
  });

  it('commits at once what needs no durable work, with nothing pending', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    const { consumer, created } = setup();
    await consumer.start();
    await created[0]!.eachBatch!(batchOf(2, '3'));
    jest.advanceTimersByTime(COMMIT_INTERVAL_MS);
    await new Promise((r) => setImmediate(r));
    expect(created[0]!.commitOffsets).toHaveBeenCalledWith([
      { topic: 'herald.internal.test.v1', partition: 2, offset: '4' },
    ]);
    jest.useRealTimers();
    await consumer.stop();
  });
});

describe('HeraldConsumer skipping ahead', () => {
  afterEach(() => jest.useRealTimers());

  it('moves a partition far behind its end on to its newest records, and commits nothing past the range it passed over', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    const handled: string[] = [];
    const { consumer, created } = setup(
      0,
      async () => {
        handled.push('call');
      },
      { skipAhead: { maxLag: 100, chunk: 10 } },
    );
    await consumer.start();
    const kafka = created[0]!;
    // Partition 0 is 1,000 records behind: passed over up to its last 50, with no call.
    await kafka.eachBatch!(batchOf(0, '0', '1000'));
    expect(kafka.seek).toHaveBeenCalledWith({
      topic: 'herald.internal.test.v1',
      partition: 0,
      offset: '950',
    });
    expect(consumer.stats.passedOver).toBe(950);
    expect(handled).toHaveLength(0);
    // Partition 1 is 100 behind: handled in order, as before.
    await kafka.eachBatch!(batchOf(1, '7', '107'));
    expect(kafka.seek).toHaveBeenCalledTimes(1);
    // The newest records of partition 0 are handled as they come…
    await kafka.eachBatch!(batchOf(0, '960', '961'));
    await new Promise((r) => setImmediate(r));
    expect(handled).toHaveLength(2);
    jest.advanceTimersByTime(COMMIT_INTERVAL_MS);
    await new Promise((r) => setImmediate(r));
    // …but its commit stays at the first record passed over, which nobody has handled yet.
    expect(kafka.commitOffsets).toHaveBeenLastCalledWith([
      { topic: 'herald.internal.test.v1', partition: 1, offset: '8' },
      { topic: 'herald.internal.test.v1', partition: 0, offset: '0' },
    ]);
    jest.useRealTimers();
    await consumer.stop();
  });
});
