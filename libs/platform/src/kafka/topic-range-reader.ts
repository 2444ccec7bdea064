/**
 * Reads fixed offset ranges of a topic once (`herald replay deliveries` re-reads the
 * public topic with it): per partition from a start offset up to an end offset taken
 * beforehand, then stops.
 *
 * kafkajs has no public fetch without a consumer group, so a throwaway group with a
 * unique id is used: it never commits an offset, each partition is moved to its start as
 * the group is joined (and again, to where it got, after any rebalance), partitions with
 * nothing to read are paused from the start and the others once they reach their end, and
 * the group is deleted afterwards whatever happened.
 */
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';
import { newUlid } from '@herald/contracts';
import { deleteConsumerGroup } from './topic-admin';

export interface OffsetRange {
  partition: number;
  /** The first offset to read. */
  start: bigint;
  /** The first offset not to read (the partition's end offset when the range was taken). */
  end: bigint;
}

export interface RangeProgress {
  /** Offsets passed so far, over every partition. */
  done: number;
  /** Offsets in all ranges. */
  total: number;
}

export interface ReadRangesOptions {
  /** Group ids are `<prefix>.<ulid>`. */
  groupPrefix: string;
  /** The messages of one partition within its range, in offset order; awaited before the next. */
  onMessages(partition: number, messages: KafkaMessage[]): Promise<void>;
  onProgress?(p: RangeProgress): void;
  /** Fail when no offset was passed for this long (a broker gone, a partition that never answers). */
  stallMs?: number;
  /** Ends the read early, without an error, once aborted (what is left is not read). */
  signal?: AbortSignal;
  /** How much one fetch brings at most (default: kafkajs's, 1 MiB per partition and 10 MiB in all). */
  fetch?: { maxBytesPerPartition: number; maxBytes: number };
}

/** Per partition, the offsets of the first records at or after `fromMs` and `toMs` (end offsets when none). */
export async function offsetRangesByTime(
  admin: Admin,
  topic: string,
  fromMs: number,
  toMs: number | undefined,
): Promise<OffsetRange[]> {
  // End offsets first: nothing appended while the command runs is read.
  const ends = await admin.fetchTopicOffsets(topic);
  const starts = await admin.fetchTopicOffsetsByTimestamp(topic, fromMs);
  const stops = toMs === undefined ? [] : await admin.fetchTopicOffsetsByTimestamp(topic, toMs);
  return ends
    .map((e) => {
      const high = BigInt(e.high);
      const at = (list: Array<{ partition: number; offset: string }>): bigint => {
        // kafkajs answers a time past every record with the end offset as of its own call.
        const found = list.find((x) => x.partition === e.partition);
        const offset = found && BigInt(found.offset) >= 0n ? BigInt(found.offset) : high;
        return offset < high ? offset : high;
      };
      const end = toMs === undefined ? high : at(stops);
      const start = at(starts);
      return { partition: e.partition, start: start < end ? start : end, end };
    })
    .sort((a, b) => a.partition - b.partition);
}

export async function readOffsetRanges(
  kafka: Kafka,
  topic: string,
  ranges: readonly OffsetRange[],
  opts: ReadRangesOptions,
): Promise<void> {
  const todo = ranges.filter((r) => r.start < r.end);
  const total = Number(todo.reduce((sum, r) => sum + (r.end - r.start), 0n));
  const position = new Map(todo.map((r) => [r.partition, r.start]));
  const passed = (r: OffsetRange): bigint => {
    const at = position.get(r.partition) ?? r.end;
    return (at < r.end ? at : r.end) - r.start;
  };
  const progress = (): RangeProgress => ({
    done: Number(todo.reduce((sum, r) => sum + passed(r), 0n)),
    total,
  });
  opts.onProgress?.(progress());
  // Every partition empty: no group at all.
  if (todo.length === 0) return;

  const groupId = `${opts.groupPrefix}.${newUlid()}`;
  const admin = kafka.admin();
  const consumer = kafka.consumer({
    groupId,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 500,
    ...opts.fetch,
  });
  let failed = false;
  let settle: (err?: Error) => void = () => undefined;
  const finished = new Promise<void>((resolve, reject) => {
    settle = (err?: Error) => (err === undefined ? resolve() : reject(err));
  });
  // A failure while joining comes before anything awaits `finished`; it is awaited later.
  finished.catch(() => undefined);
  const fail = (err: unknown): void => {
    failed = true;
    settle(asError(err));
  };
  const abort = (): void => {
    failed = true;
    settle();
  };
  if (opts.signal?.aborted) return;
  opts.signal?.addEventListener('abort', abort, { once: true });
  const idle = ranges.filter((r) => r.start >= r.end).map((r) => r.partition);
  const remaining = (): OffsetRange[] => todo.filter((r) => (position.get(r.partition) ?? r.end) < r.end);
  let lastMove = Date.now();

  let failure: Error | undefined;
  await admin.connect();
  try {
    await consumer.connect();
    try {
      consumer.on(consumer.events.GROUP_JOIN, () => {
        // Runs inside the join, before the first fetch: every partition starts where it should.
        const paused = [...idle, ...todo.filter((r) => !remaining().includes(r)).map((r) => r.partition)];
        if (paused.length > 0) consumer.pause([{ topic, partitions: paused }]);
        for (const r of remaining()) {
          consumer.seek({ topic, partition: r.partition, offset: String(position.get(r.partition)) });
        }
      });
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        // Also sent for batches of nothing but control records, which eachBatch never sees.
        const at = position.get(payload.partition);
        const next = BigInt(payload.lastOffset) + 1n;
        if (at === undefined || next <= at) return;
        position.set(payload.partition, next);
        lastMove = Date.now();
        opts.onProgress?.(progress());
        const range = todo.find((r) => r.partition === payload.partition);
        if (range && next >= range.end) consumer.pause([{ topic, partitions: [range.partition] }]);
        if (remaining().length === 0) settle();
      });
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (!payload.restart) fail(payload.error);
      });
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch, heartbeat }) => {
          if (failed) return;
          const range = todo.find((r) => r.partition === batch.partition);
          if (!range) return;
          const from = position.get(range.partition) ?? range.end;
          const within = batch.messages.filter((m) => {
            const offset = BigInt(m.offset);
            return offset >= from && offset < range.end;
          });
          if (within.length === 0) return;
          try {
            await opts.onMessages(range.partition, within);
            await heartbeat();
          } catch (err) {
            // Not thrown to kafkajs: it would retry the batch and hand it over twice.
            fail(err);
          }
        },
      });
      await untilDone(
        finished,
        () => lastMove,
        opts.stallMs ?? 120_000,
        () =>
          remaining()
            .map((r) => `partition ${r.partition} at ${position.get(r.partition)} of ${r.end}`)
            .join(', '),
      );
    } finally {
      opts.signal?.removeEventListener('abort', abort);
      await consumer.disconnect();
    }
  } catch (err) {
    failure = asError(err);
  }
  // The group's own leave may not be processed yet: waited out, up to ten tries.
  const notDeleted = await deleteConsumerGroup(admin, groupId, 10).then(
    (outcome) =>
      outcome === 'in use' ? new Error(`consumer group ${groupId} still has members`) : undefined,
    asError,
  );
  await admin.disconnect();
  // Why the replay failed matters more than a group it then could not delete.
  const error = failure ?? notDeleted;
  if (error) throw error;
}

async function untilDone(
  finished: Promise<void>,
  lastMove: () => number,
  stallMs: number,
  where: () => string,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setInterval(() => {
      if (Date.now() - lastMove() > stallMs) {
        reject(new Error(`reading the topic made no progress for ${stallMs / 1000}s (${where()})`));
      }
    }, 1000);
  });
  try {
    await Promise.race([finished, stalled]);
  } finally {
    clearInterval(timer);
  }
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
