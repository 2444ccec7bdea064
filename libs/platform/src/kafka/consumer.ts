/**
 * Consumer base for every role that reads Kafka (translator, projector, dispatcher).
 *
 * - decode + validate each message; a message that cannot be decoded (malformed JSON,
 *   schema violation, unknown tenant…) is poison: it goes to the dead-letter topic with
 *   its reason and the source coordinates, and consumption moves on;
 * - the batches of every partition that one fetch returned are handed to the handler in
 *   one call (in order within each partition), so a role pays one database round trip
 *   and one offset commit per fetch, not per partition; the handler must make its effect
 *   durable before resolving;
 * - only then are the offsets committed (last offset + 1 of each partition). Commits are
 *   gathered too: at most one request per COMMIT_INTERVAL_MS (and one at stop), since
 *   every handler is idempotent and a re-read after a crash costs nothing but time. A
 *   handler failure is transient by definition: the call is retried with backoff and
 *   nothing is committed, so a crash at any point re-delivers rather than loses;
 * - kafkajs gives up on a consumer after some errors (a non-retriable one, such as
 *   KafkaJSGroupCoordinatorNotFound while the broker restarts during a rebalance): it
 *   disconnects it and stops. The process would then stay up while its group sits empty,
 *   so a consumer kafkajs will not restart is replaced by a new one, with backoff, for as
 *   long as this one is running. What the dead one had fetched but not committed is read
 *   again.
 */
import { DEAD_LETTER_HEADER_PREFIX, DeadLetterHeaders, Topics } from '@herald/contracts';
import type { Admin, Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import type { HeraldMetrics } from '../metrics/herald-metrics';
import type { HeraldProducer } from './producer';
import { PassedOverScout } from './passed-over-scout';
import { SkippedRange, SkippedRanges } from './skipped-ranges';
import { readOffsetRanges } from './topic-range-reader';

/** Thrown by a decoder: the message is permanently bad and must not be retried. */
export class PoisonMessageError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'PoisonMessageError';
  }
}

/**
 * Thrown by a handler that finds its position stale (a projection was reset under it):
 * the consumer moves the given partitions to the given offsets and drops the whole call,
 * committing nothing; the other partitions of the call are read again.
 */
export class RepositionRequest extends Error {
  constructor(readonly positions: Array<{ topic: string; partition: number; offset: string }>) {
    super('reposition requested');
    this.name = 'RepositionRequest';
  }
}

export interface MessagePosition {
  topic: string;
  partition: number;
  offset: string;
}

/** What a handler may report back. */
export interface HandleResult {
  /** Messages it found permanently bad (dead-lettered, then committed past). */
  poison?: Array<MessagePosition & { reason: string }>;
  /**
   * Part of the call's effect that is still being made durable (a large write the handler
   * need not wait for before the next fetch). The call's offsets are committed only once
   * it resolves, and after those of every earlier call. It must not reject: a write that
   * cannot be made durable stays pending (retried, or abandoned when the role stops), so
   * that nothing from this call on is committed and the next owner reads it again.
   */
  durable?: Promise<void>;
  /**
   * For a call of records passed over (BatchContext.passedOver): the reader of those
   * ranges hands over its next chunk only once this resolves. A handler busy with work
   * that is on time holds a backlog back this way without holding up the consumer's own
   * calls.
   */
  holdBacklog?: Promise<void>;
}

/** How much Herald's consumers fetch at once, and how long a fetch waits for data. */
export const CONSUMER_FETCH = {
  // One call holds what one fetch returns: bounded, so a rebuild or a backlog is applied in
  // transactions of a few MiB rather than one of the whole topic.
  maxBytesPerPartition: 1024 * 1024,
  maxBytes: 4 * 1024 * 1024,
  // Bounds how long stop() and pause wait on an idle long-poll; data is returned as soon as it arrives.
  maxWaitTimeInMs: 1000,
} as const;

export interface Decoded<T> extends MessagePosition {
  value: T;
  key: string | null;
  timestamp: string;
  headers: KafkaMessage['headers'];
}

/** One partition's share of a handler call: every offset in it, poison included. */
export interface PartitionRange {
  topic: string;
  partition: number;
  firstOffset: string;
  lastOffset: string;
}

export interface BatchContext {
  /** The partitions this call covers; a range may hold no decodable message at all. */
  ranges: PartitionRange[];
  /** Call during long work so the group does not consider this member dead. */
  heartbeat(): Promise<void>;
  /** The call holds records passed over (skipAhead), read again behind the consumer's own. */
  passedOver?: boolean;
  /**
   * The call holds records passed over that are not part of the backlog (skipAhead.groupOf),
   * handed over ahead of their range. They come again with it, in a passedOver call; nothing
   * is committed for this one, and what it returns is not waited for.
   */
  ahead?: boolean;
}

export interface ConsumerSpec<T> {
  groupId: string;
  topics: string[];
  /** Where a group with no committed offset starts. */
  fromBeginning: boolean;
  decode(message: KafkaMessage, topic: string): T;
  /** The decoded messages of every partition in the call (possibly none) and their ranges. */
  handle(messages: Array<Decoded<T>>, ctx: BatchContext): Promise<HandleResult | void>;
  /** Called whenever the group hands this member its partitions (after every rebalance). */
  onAssignment?(assigned: ReadonlyMap<string, number[]>): Promise<void> | void;
  /** Backoff bounds for retrying a failed batch. */
  retry?: { initialMs: number; maxMs: number };
  /**
   * The shortest time from one call to the next fetch (default 0). While events trickle
   * in, a consumer that fetches again at once pays a broker request and a database
   * transaction for every single event; holding the next fetch back this long lets the
   * events of that moment arrive together. Under load the calls take longer than this
   * anyway and nothing waits. It adds at most this much to an event's latency.
   */
  minCycleMs?: number;
  /**
   * Under load, the cycle grows with the calls (default: it stays at minCycleMs): it lasts
   * `perRecordMs` for every record of the call, between minCycleMs and `maxMs`. While
   * records come slower than one per `perRecordMs`, the calls stay small and the cycle at
   * minCycleMs, so latency at such rates is unchanged. Faster than that, each call holds
   * what `maxMs` brings, and its fixed costs (a fetch, a produce or a database round trip,
   * its share of a commit) are paid once for more records: on a machine the roles share,
   * that CPU goes to the role that is behind. It adds at most `maxMs` to an event's latency.
   */
  busyCycle?: { perRecordMs: number; maxMs: number };
  /**
   * Lets kafkajs fetch the next batches while a call is being handled, instead of after
   * (default false). Calls still run one at a time and in order, and offsets are still
   * committed only once handled; at most one fetch waits behind the call in flight. A
   * call that fails for good moves its partitions back to where it began, so nothing is
   * skipped, and batches fetched before a seek are dropped. The price: kafkajs may rejoin
   * the group while a call runs, so a partition handed to another member meanwhile can be
   * handled by both for a moment. Only for handlers that are idempotent.
   */
  prefetch?: boolean;
  /**
   * Reads past a backlog instead of through it (default: off). A partition whose fetch
   * begins more than `maxLag` records before the partition's end is not handled in order:
   * the consumer moves on to the last `maxLag / 2` records at once, so those and whatever is
   * appended from then on are handled as they come, and a reader of its own reads the
   * records passed over and hands them to the same handler, `chunk` records per call,
   * between the consumer's own calls. Offsets are committed only up to the first record
   * passed over that is not handled and durable yet, so a crash, a stop or a rebalance
   * reads it again. Only for handlers that are idempotent and need no order beyond a
   * partition's next `maxLag` records.
   *
   * With `groupOf` (a record's group: the dispatcher's are tenants), each range passed over
   * is also read once at once, and the records of groups the backlog is not made of are
   * handed over ahead of it (BatchContext.ahead; PassedOverScout), so a trickle that lands
   * amid a burst does not wait for the burst's drain.
   */
  skipAhead?: { maxLag: number; chunk: number; groupOf?: (message: KafkaMessage) => string | undefined };
}

export interface ConsumerStats {
  processed: number;
  deadLettered: number;
  failedBatches: number;
  /** kafkajs consumers that crashed for good and were replaced. */
  replaced: number;
  /** Records passed over to be read again (skipAhead). */
  passedOver: number;
  /** Records passed over handed over ahead of their range (skipAhead.groupOf). */
  handedAhead: number;
}

export interface PartitionLag {
  topic: string;
  partition: number;
  committed: string;
  high: string;
  lag: number;
}

/** What a call needs of where its records came from: kafkajs's batch, or a part of a range passed over. */
type BatchSource = Pick<EachBatchPayload, 'heartbeat' | 'isRunning' | 'isStale' | 'resolveOffset'> & {
  batch: { messages: KafkaMessage[] };
};

/** One partition batch from kafkajs (or part of a range passed over), decoded, waiting for the call that takes it. */
interface Gathered<T> {
  payload: BatchSource;
  range: PartitionRange;
  /** The range passed over that these records belong to. */
  skipped?: SkippedRange;
  good: Array<Decoded<T>>;
  poison: Array<{ message: KafkaMessage; reason: string }>;
  done: () => void;
  failed: (err: unknown) => void;
}

/** kafkajs runs up to this many partition batches of a fetch at once; they are gathered into one call. */
const GATHER_WIDTH = 256;

/** Backoff bounds for starting a consumer in place of one kafkajs gave up on. */
const REPLACE_INITIAL_MS = 500;
const REPLACE_MAX_MS = 30_000;

/**
 * The busy cycle of the roles that relay every event (translator, dispatcher): above 1,000
 * records a second a call grows to 20 ms of records, for at most 15 ms more latency than
 * their 5 ms cycle, and none below that rate.
 */
export const BUSY_CYCLE = { perRecordMs: 1, maxMs: 20 } as const;

/** The longest a processed offset waits before it is committed to the group. */
export const COMMIT_INTERVAL_MS = 200;

/** How long stop() waits for the handlers' pending durable work before its last commit. */
const DURABLE_STOP_WAIT_MS = 10_000;

/**
 * Fetch sizes of a consumer that skips ahead and of its reader of ranges passed over:
 * small, because decoding a fetch holds the event loop (a MiB of records, about 2,000,
 * is tens of milliseconds), and every call the consumer makes waits behind it.
 */
const SKIP_AHEAD_FETCH = {
  live: { maxBytesPerPartition: 256 * 1024, maxBytes: 1024 * 1024 },
  passedOver: { maxBytesPerPartition: 64 * 1024, maxBytes: 256 * 1024 },
} as const;

/** Backoff bounds for reading ranges passed over again after the reader failed. */
const SKIPPED_RETRY_INITIAL_MS = 500;
const SKIPPED_RETRY_MAX_MS = 30_000;

export class HeraldConsumer<T> {
  private consumer: Consumer;
  private running = false;
  private halted = false;
  private readonly assigned = new Map<string, number[]>();
  private gathered: Array<Gathered<T>> = [];
  private gatherScheduled = false;
  /** Processed but not yet committed: topic|partition → next offset. */
  private readonly toCommit = new Map<string, { topic: string; partition: number; offset: string }>();
  private commitTimer: NodeJS.Timeout | undefined;
  private committing: Promise<void> | undefined;
  private processing: Promise<void> | undefined;
  /** Calls whose durable work is pending, committed in call order as it completes. */
  private durableChain: Promise<void> | undefined;
  private durablePending = 0;
  /** Ranges passed over (skipAhead), and the reader that reads them. */
  private readonly skipped = new SkippedRanges();
  private readingSkipped: Promise<void> | undefined;
  private readonly stopReadingSkipped = new AbortController();
  /** Reads each range passed over once, at once, for records that are not the backlog's. */
  private readonly scout: PassedOverScout | undefined;
  private signalStopped: () => void = () => undefined;
  /** Resolves at stop(): a retry backoff in progress ends early. */
  private readonly stopped = new Promise<void>((resolve) => (this.signalStopped = resolve));
  readonly stats: ConsumerStats = {
    processed: 0,
    deadLettered: 0,
    failedBatches: 0,
    replaced: 0,
    passedOver: 0,
    handedAhead: 0,
  };
  private readonly deadLetterCount: { inc(n: number): void } | undefined;
  private readonly passedOverCount: { inc(n: number): void } | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly producer: HeraldProducer,
    private readonly spec: ConsumerSpec<T>,
    private readonly logger: Logger,
    metrics?: HeraldMetrics,
  ) {
    this.deadLetterCount = metrics?.deadLettered.labels(spec.groupId);
    this.deadLetterCount?.inc(0);
    if (spec.skipAhead) {
      this.passedOverCount = metrics?.passedOver.labels(spec.groupId);
      this.passedOverCount?.inc(0);
    }
    this.consumer = this.createConsumer();
    const groupOf = spec.skipAhead?.groupOf;
    if (groupOf)
      this.scout = new PassedOverScout({
        kafka,
        groupPrefix: `${spec.groupId}.ahead`,
        groupOf,
        // Like the consumer's own: it hands over only a few of the records it decodes.
        fetch: SKIP_AHEAD_FETCH.live,
        isOpen: (range) => this.running && this.skipped.has(range),
        handOver: (range, messages) => this.handOverAhead(range, messages),
        logger,
      });
  }

  private createConsumer(): Consumer {
    return this.kafka.consumer({
      groupId: this.spec.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      ...CONSUMER_FETCH,
      // What lies further behind than maxLag is passed over, not handled: fetching it costs
      // decoding for nothing.
      ...(this.spec.skipAhead ? SKIP_AHEAD_FETCH.live : {}),
    });
  }

  get groupId(): string {
    return this.spec.groupId;
  }

  get topics(): readonly string[] {
    return this.spec.topics;
  }

  /** Once stop() was called. */
  get isStopped(): boolean {
    return this.halted;
  }

  async start(): Promise<void> {
    this.running = true;
    try {
      await this.run(this.consumer);
    } catch (err) {
      this.running = false;
      throw err;
    }
  }

  private async run(consumer: Consumer): Promise<void> {
    await consumer.connect();
    await consumer.subscribe({ topics: this.spec.topics, fromBeginning: this.spec.fromBeginning });
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      if (consumer !== this.consumer) return;
      this.assigned.clear();
      for (const [topic, partitions] of Object.entries(payload.memberAssignment)) {
        this.assigned.set(topic, partitions);
      }
      this.skipped.keepOnly(this.assigned);
      if (this.spec.onAssignment) {
        Promise.resolve(this.spec.onAssignment(this.assigned)).catch((err: unknown) =>
          this.logger.error({ err }, 'assignment handler failed'),
        );
      }
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart || !this.running || consumer !== this.consumer) return;
      this.logger.error(
        { err: payload.error },
        'kafkajs gave up on the consumer after a crash; replacing it',
      );
      void this.replace(consumer);
    });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: GATHER_WIDTH,
      eachBatch: (payload) => this.gather(payload),
    });
  }

  /** A new kafkajs consumer in place of one that crashed for good, retried until it runs or we stop. */
  private async replace(crashed: Consumer): Promise<void> {
    let delay = REPLACE_INITIAL_MS;
    await crashed.disconnect().catch(() => undefined);
    while (this.running) {
      // The call in flight belongs to the dead consumer: let it end (its batches are no longer
      // running, so it commits nothing), and drop what was gathered for the next one.
      await this.processing;
      this.gathered = [];
      this.assigned.clear();
      const next = this.createConsumer();
      this.consumer = next;
      try {
        await this.run(next);
        this.stats.replaced++;
        this.logger.warn('replacement consumer running');
        return;
      } catch (err) {
        this.logger.warn({ err, retryInMs: delay }, 'replacement consumer failed to start; retrying');
        await next.disconnect().catch(() => undefined);
        await Promise.race([sleep(delay), this.stopped]);
        delay = Math.min(delay * 2, REPLACE_MAX_MS);
      }
    }
  }

  async stop(): Promise<void> {
    this.halted = true;
    if (!this.running) return;
    this.running = false;
    this.signalStopped();
    // Fetch nothing more, let the call in flight finish, commit what it did, then leave.
    this.pause();
    this.stopReadingSkipped.abort();
    const scouting = this.scout?.stop();
    await this.processing;
    await this.readingSkipped;
    await scouting;
    if (this.durablePending > 0) await this.awaitDurable(DURABLE_STOP_WAIT_MS);
    await this.commitNow().catch((err: unknown) =>
      this.logger.warn({ err }, 'final offset commit failed; the next owner re-reads'),
    );
    await this.consumer.disconnect();
  }

  /** Partitions this member owns right now. */
  assignment(): ReadonlyMap<string, number[]> {
    return this.assigned;
  }

  seek(topic: string, partition: number, offset: string): void {
    this.consumer.seek({ topic, partition, offset });
  }

  pause(): void {
    this.consumer.pause(this.spec.topics.map((topic) => ({ topic })));
  }

  resume(): void {
    this.consumer.resume(this.spec.topics.map((topic) => ({ topic })));
  }

  /**
   * kafkajs starts the batches of one fetch together (up to GATHER_WIDTH at once); each
   * is decoded and parked here, and the first schedules the call that takes them all once
   * the current turn of the event loop is over.
   */
  private gather(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (batch.messages.length === 0) return Promise.resolve();
    const messages = this.skipAhead(payload);
    if (messages.length === 0) return Promise.resolve();
    const { good, poison } = this.decodeAll(messages, batch.topic, batch.partition);
    return new Promise<void>((done, failed) => {
      this.gathered.push({
        payload,
        range: {
          topic: batch.topic,
          partition: batch.partition,
          firstOffset: messages[0]!.offset,
          lastOffset: batch.lastOffset(),
        },
        good,
        poison,
        done,
        failed,
      });
      if (this.gatherScheduled) return;
      this.gatherScheduled = true;
      setImmediate(() => {
        this.gatherScheduled = false;
        const parts = this.gathered;
        this.gathered = [];
        // In order: with prefetch, a call may be gathered while the previous one runs.
        void this.enqueue(() => this.call(parts));
      });
    });
  }

  private decodeAll(
    messages: KafkaMessage[],
    topic: string,
    partition: number,
  ): Pick<Gathered<T>, 'good' | 'poison'> {
    const good: Array<Decoded<T>> = [];
    const poison: Array<{ message: KafkaMessage; reason: string }> = [];
    for (const message of messages) {
      try {
        good.push({
          value: this.spec.decode(message, topic),
          topic,
          partition,
          offset: message.offset,
          key: message.key?.toString('utf8') ?? null,
          timestamp: message.timestamp,
          headers: message.headers,
        });
      } catch (err) {
        const reason = err instanceof PoisonMessageError ? err.reason : `decode failed: ${errorText(err)}`;
        poison.push({ message, reason });
      }
    }
    return { good, poison };
  }

  /** Runs `work` after every call queued before it (calls run one at a time, in order). */
  private enqueue<R>(work: () => Promise<R>): Promise<R> {
    const previous = this.processing;
    const next = previous ? previous.then(work) : work();
    this.processing = next.then(() => undefined);
    return next;
  }

  /**
   * The records of a batch to handle in order. With skipAhead, a batch that begins more
   * than maxLag records before its partition's end is passed over, with everything up to
   * the last maxLag / 2 records: the consumer goes on from there, so the newest records are
   * handled as they come, and the range passed over goes to the reader of ranges passed
   * over. When the batch holds records from there on (while a burst lands, it usually
   * does), those are handled now; otherwise the consumer fetches them (a seek).
   */
  private skipAhead({ batch, isStale }: EachBatchPayload): KafkaMessage[] {
    const skip = this.spec.skipAhead;
    // A batch fetched before a seek is dropped anyway.
    if (!skip || !this.running || isStale()) return batch.messages;
    const from = BigInt(batch.firstOffset() ?? batch.messages[0]!.offset);
    const end = BigInt(batch.highWatermark);
    if (end - from <= BigInt(skip.maxLag)) return batch.messages;
    const to = end - BigInt(Math.floor(skip.maxLag / 2));
    const rest = batch.messages.filter((m) => BigInt(m.offset) >= to);
    // Otherwise this partition's batch is dropped (stale) and its next fetch starts at `to`.
    if (rest.length === 0)
      this.consumer.seek({ topic: batch.topic, partition: batch.partition, offset: to.toString() });
    const range = this.skipped.add(batch.topic, batch.partition, from, to);
    this.scout?.add(range, batch.messages);
    this.stats.passedOver += Number(to - from);
    this.passedOverCount?.inc(Number(to - from));
    this.readSkipped();
    return rest;
  }

  /** Reads the ranges passed over until none is left (or the consumer stops), retrying failed reads. */
  private readSkipped(): void {
    if (this.readingSkipped || !this.running) return;
    this.readingSkipped = (async () => {
      let delay = SKIPPED_RETRY_INITIAL_MS;
      while (this.running && this.skipped.toRead().size > 0) {
        try {
          for (const [topic, reads] of this.skipped.toRead()) {
            const byPartition = new Map(reads.map((r) => [r.partition, r.ranges]));
            await readOffsetRanges(
              this.kafka,
              topic,
              reads.map(({ partition, start, end }) => ({ partition, start, end })),
              {
                groupPrefix: `${this.spec.groupId}.skipped`,
                signal: this.stopReadingSkipped.signal,
                fetch: SKIP_AHEAD_FETCH.passedOver,
                onMessages: (partition, messages) =>
                  this.handleSkipped(byPartition.get(partition)!, messages),
              },
            );
            if (!this.running) break;
            // Read to their ends: offsets with no record to hand over (none, on a topic that is
            // neither compacted nor transactional) are done with the last record before them.
            for (const range of reads.flatMap((r) => r.ranges)) {
              if (!this.skipped.has(range)) continue;
              range.read = range.to;
              const last = (range.to - 1n).toString();
              const rest = {
                topic: range.topic,
                partition: range.partition,
                firstOffset: last,
                lastOffset: last,
              };
              await this.enqueue(async () => this.afterDurable([{ range: rest, skipped: range }]));
            }
          }
          delay = SKIPPED_RETRY_INITIAL_MS;
        } catch (err) {
          this.logger.warn({ err, retryInMs: delay }, 'reading records passed over failed; retrying');
          await Promise.race([sleep(delay), this.stopped]);
          delay = Math.min(delay * 2, SKIPPED_RETRY_MAX_MS);
        }
      }
    })().finally(() => {
      this.readingSkipped = undefined;
      // Ranges passed over while the last read was ending.
      if (this.running && this.skipped.toRead().size > 0) this.readSkipped();
    });
  }

  /**
   * Records read from a partition's ranges passed over: those inside a range are handled
   * `chunk` at a time, each call queued behind the consumer's own; those between ranges
   * were handled in order and are passed by.
   */
  private async handleSkipped(ranges: SkippedRange[], messages: KafkaMessage[]): Promise<void> {
    const chunk = this.spec.skipAhead?.chunk ?? messages.length;
    for (const range of ranges) {
      const inside = messages.filter((m) => {
        const offset = BigInt(m.offset);
        return offset >= range.read && offset < range.to;
      });
      for (let i = 0; i < inside.length && this.running && this.skipped.has(range); i += chunk) {
        const part = inside.slice(i, i + chunk);
        const lastOffset = part[part.length - 1]!.offset;
        const source: BatchSource = {
          batch: { messages: part },
          heartbeat: () => Promise.resolve(),
          isRunning: () => this.skipped.has(range),
          isStale: () => false,
          resolveOffset: () => undefined,
        };
        const { topic, partition } = range;
        const { hold } = await this.enqueue(() =>
          this.process([
            {
              payload: source,
              range: { topic, partition, firstOffset: part[0]!.offset, lastOffset },
              skipped: range,
              ...this.decodeAll(part, topic, partition),
              done: () => undefined,
              failed: () => undefined,
            },
          ]),
        );
        range.read = BigInt(lastOffset) + 1n;
        if (hold) await Promise.race([hold, this.stopped]);
      }
    }
  }

  /**
   * Records of a range passed over that are not the backlog's (PassedOverScout), handed over
   * ahead of it: a call queued like the others, whose result nothing waits for and for which
   * nothing is committed or dead-lettered; the range's reader hands them over again in order.
   */
  private async handOverAhead(range: SkippedRange, messages: KafkaMessage[]): Promise<void> {
    const { topic, partition } = range;
    const { good } = this.decodeAll(messages, topic, partition);
    if (good.length === 0) return;
    await this.enqueue(async () => {
      if (!this.running || !this.skipped.has(range)) return;
      try {
        const result = await this.spec.handle(good, {
          ranges: [
            { topic, partition, firstOffset: good[0]!.offset, lastOffset: good[good.length - 1]!.offset },
          ],
          heartbeat: () => Promise.resolve(),
          ahead: true,
        });
        result?.durable?.catch(() => undefined);
        this.stats.handedAhead += good.length;
      } catch (err) {
        this.logger.warn(
          { err, topic, partition },
          'records handed over ahead of their range failed; they come again with it',
        );
      }
    });
  }

  /** One handler call for the gathered batches, then the rest of the cycle; never rejects. */
  private async call(parts: Array<Gathered<T>>): Promise<void> {
    const started = performance.now();
    const early = this.spec.prefetch === true;
    if (early) {
      // kafkajs fetches on from past these batches while they are handled.
      for (const p of parts) {
        p.payload.resolveOffset(p.range.lastOffset);
        p.done();
      }
    }
    try {
      await this.process(parts);
      const rest = this.cycleMs(parts) - (performance.now() - started);
      if (rest >= 1 && this.running) await sleep(rest);
      if (!early) for (const p of parts) p.done();
    } catch (err) {
      if (!early) {
        for (const p of parts) p.failed(err);
        return;
      }
      // kafkajs has moved on: read these batches again from where they began.
      this.logger.error({ err, ranges: parts.map((p) => p.range) }, 'call failed; reading it again');
      for (const p of parts) {
        if (this.running)
          this.consumer.seek({
            topic: p.range.topic,
            partition: p.range.partition,
            offset: p.range.firstOffset,
          });
      }
    }
  }

  /** How long this call's cycle lasts (minCycleMs, or longer under load: busyCycle). */
  private cycleMs(parts: Array<Gathered<T>>): number {
    const min = this.spec.minCycleMs ?? 0;
    const busy = this.spec.busyCycle;
    if (!busy) return min;
    let records = 0;
    for (const p of parts) records += p.good.length + p.poison.length;
    return Math.max(min, Math.min(busy.maxMs, records * busy.perRecordMs));
  }

  /**
   * Handles a call's parts; resolves with what a call of records passed over asks its reader
   * to wait for (wrapped: a promise resolved with a promise would wait for it).
   */
  private async process(all: Array<Gathered<T>>): Promise<{ hold?: Promise<void> }> {
    const retry = this.spec.retry ?? { initialMs: 200, maxMs: 30_000 };
    const heartbeat = (): Promise<void> => all[0]!.payload.heartbeat();
    let delay = retry.initialMs;
    let dead: Array<{ message: KafkaMessage; reason: string; range: PartitionRange }> = [];
    let durable: Promise<void> | undefined;
    let hold: Promise<void> | undefined;
    let parts = all;
    for (;;) {
      // Stopping (ours or kafkajs's), rebalanced or sought elsewhere: leave it to whoever reads next.
      parts = parts.filter((p) => this.running && p.payload.isRunning() && !p.payload.isStale());
      if (parts.length === 0) return {};
      const good = parts.flatMap((p) => p.good);
      try {
        const passedOver = parts.some((p) => p.skipped !== undefined);
        const result = await this.spec.handle(good, {
          ranges: parts.map((p) => p.range),
          heartbeat,
          ...(passedOver ? { passedOver } : {}),
        });
        dead = parts.flatMap((p) => p.poison.map((x) => ({ ...x, range: p.range })));
        for (const r of result?.poison ?? []) {
          const part = parts.find((p) => p.range.topic === r.topic && p.range.partition === r.partition);
          const message = part?.payload.batch.messages.find((m) => m.offset === r.offset);
          if (part && message) dead.push({ message, reason: r.reason, range: part.range });
        }
        if (dead.length > 0) await this.deadLetter(dead);
        durable = result?.durable;
        hold = result?.holdBacklog;
        this.stats.processed += good.length - (result?.poison?.length ?? 0);
        break;
      } catch (err) {
        if (err instanceof RepositionRequest) {
          for (const p of err.positions) this.consumer.seek(p);
          return {};
        }
        this.stats.failedBatches++;
        this.logger.error(
          { err, ranges: parts.map((p) => p.range), retryInMs: delay },
          'batch failed; retrying without committing',
        );
        await Promise.race([sleep(delay), this.stopped]);
        if (!this.running) return {};
        await heartbeat().catch(() => undefined);
        delay = Math.min(delay * 2, retry.maxMs);
      }
    }

    for (const p of parts) p.payload.resolveOffset(p.range.lastOffset);
    this.stats.deadLettered += dead.length;
    if (dead.length > 0) this.deadLetterCount?.inc(dead.length);
    this.afterDurable(parts, durable);
    return { hold };
  }

  /** Marks the parts processed once `durable` is, and never before an earlier call's. */
  private afterDurable(parts: Array<Pick<Gathered<T>, 'range' | 'skipped'>>, durable?: Promise<void>): void {
    if (durable === undefined && this.durablePending === 0) {
      this.markProcessed(parts);
      return;
    }
    this.durablePending++;
    this.durableChain = (this.durableChain ?? Promise.resolve())
      .then(() => durable)
      .then(
        () => {
          this.durablePending--;
          this.markProcessed(parts);
        },
        (err: unknown) => {
          const ranges = parts.map((p) => p.range);
          this.logger.error({ err, ranges }, 'durable work of a call failed; committing nothing from it on');
          return new Promise<void>(() => undefined);
        },
      );
  }

  /** Waits up to `ms` for every call's durable work; what is still pending then stays uncommitted. */
  private async awaitDurable(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const done = await Promise.race([
      this.durableChain!.then(() => true),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
    ]);
    clearTimeout(timer);
    if (!done) this.logger.warn('durable work still pending at stop; its offsets stay uncommitted');
  }

  /**
   * The parts are handled and durable: their offsets go out with the next commit, except
   * what a range passed over and not yet durable keeps back.
   */
  private markProcessed(parts: Array<Pick<Gathered<T>, 'range' | 'skipped'>>): void {
    for (const { range, skipped } of parts) {
      const { topic, partition } = range;
      const next = BigInt(range.lastOffset) + 1n;
      const offset = skipped
        ? this.skipped.handled(skipped, next)
        : this.skipped.passed(topic, partition, next);
      if (offset !== undefined)
        this.toCommit.set(`${topic}|${partition}`, { topic, partition, offset: offset.toString() });
    }
    if (!this.running) return; // stop() commits what is pending once this call is over
    this.commitTimer ??= setTimeout(() => {
      this.commitTimer = undefined;
      this.commitNow().catch((err: unknown) =>
        this.logger.warn({ err }, 'offset commit failed; the next owner re-reads from the last one'),
      );
    }, COMMIT_INTERVAL_MS);
  }

  /** Commits every processed offset not committed yet, in one request. */
  private async commitNow(): Promise<void> {
    await this.committing;
    if (this.commitTimer) clearTimeout(this.commitTimer);
    this.commitTimer = undefined;
    if (this.toCommit.size === 0) return;
    const offsets = [...this.toCommit.values()];
    this.toCommit.clear();
    this.committing = this.consumer.commitOffsets(offsets).finally(() => (this.committing = undefined));
    await this.committing;
  }

  private async deadLetter(
    items: Array<{ message: KafkaMessage; reason: string; range: PartitionRange }>,
  ): Promise<void> {
    const now = new Date().toISOString();
    await this.producer.send(
      Topics.deadLetter,
      items.map(({ message, reason, range: { topic, partition } }) => {
        this.logger.warn({ topic, partition, offset: message.offset, reason }, 'dead-lettered a message');
        return {
          key: message.key?.toString('utf8') ?? `${topic}:${partition}:${message.offset}`,
          value: message.value ?? Buffer.alloc(0),
          headers: {
            ...originalHeaders(message),
            [DeadLetterHeaders.reason]: reason.slice(0, 1000),
            [DeadLetterHeaders.sourceTopic]: topic,
            [DeadLetterHeaders.sourcePartition]: String(partition),
            [DeadLetterHeaders.sourceOffset]: message.offset,
            [DeadLetterHeaders.consumerGroup]: this.spec.groupId,
            [DeadLetterHeaders.failedAt]: now,
          },
        };
      }),
    );
  }
}

/** Consumer lag of a group: per partition, the log end offset minus the committed offset. */
export async function groupLag(admin: Admin, groupId: string, topics: string[]): Promise<PartitionLag[]> {
  const committed = await admin.fetchOffsets({ groupId, topics });
  const out: PartitionLag[] = [];
  for (const t of committed) {
    const ends = await admin.fetchTopicOffsets(t.topic);
    for (const p of t.partitions) {
      const end = ends.find((e) => e.partition === p.partition);
      const high = end?.high ?? '0';
      const low = BigInt(end?.low ?? '0');
      const c = p.offset === '-1' ? low : BigInt(p.offset);
      out.push({
        topic: t.topic,
        partition: p.partition,
        committed: p.offset,
        high,
        lag: Number(BigInt(high) - c),
      });
    }
  }
  return out;
}

/** The poison message's own headers, kept so a redrive re-appends it as it was (first value of each). */
function originalHeaders(message: KafkaMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(message.headers ?? {})) {
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value !== undefined && !name.startsWith(DEAD_LETTER_HEADER_PREFIX)) out[name] = value.toString();
  }
  return out;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Starts consumers; KafkaService is one, StandaloneConsumerFactory serves CLI tools. */
export interface ConsumerFactory {
  startConsumer<T>(spec: ConsumerSpec<T>): Promise<HeraldConsumer<T>>;
  /** The earliest offset still in a partition (retention may have deleted what came before). */
  lowWatermark(topic: string, partition: number): Promise<bigint>;
}

export async function lowWatermarkOf(admin: Admin, topic: string, partition: number): Promise<bigint> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return BigInt(offsets.find((o) => o.partition === partition)?.low ?? '0');
}

export class StandaloneConsumerFactory implements ConsumerFactory {
  constructor(
    private readonly kafka: Kafka,
    private readonly producer: HeraldProducer,
    private readonly logger: Logger,
  ) {}

  async startConsumer<T>(spec: ConsumerSpec<T>): Promise<HeraldConsumer<T>> {
    const consumer = new HeraldConsumer<T>(
      this.kafka,
      this.producer,
      spec,
      this.logger.child({ group: spec.groupId }),
    );
    await consumer.start();
    return consumer;
  }

  async lowWatermark(topic: string, partition: number): Promise<bigint> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      return await lowWatermarkOf(admin, topic, partition);
    } finally {
      await admin.disconnect();
    }
  }
}
