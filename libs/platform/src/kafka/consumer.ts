/**
 * Consumer base for every role that reads Kafka (translator, projector, dispatcher).
 *
 * - decode + validate each message; a message that cannot be decoded (malformed JSON,
 *   schema violation, unknown tenant…) is poison: it goes to the dead-letter topic with
 *   its reason and the source coordinates, and consumption moves on;
 * - the handler gets the decoded batch of one partition and must make its effect
 *   durable before resolving;
 * - only then is the offset committed (last offset + 1). A handler failure is
 *   transient by definition: the batch is retried with backoff and nothing is committed,
 *   so a crash at any point re-delivers rather than loses.
 */
import { DeadLetterHeaders, Topics } from '@herald/contracts';
import type { Admin, Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import type { HeraldProducer } from './producer';

/** Thrown by a decoder: the message is permanently bad and must not be retried. */
export class PoisonMessageError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'PoisonMessageError';
  }
}

/**
 * Thrown by a handler that finds its position stale (a projection was reset under it):
 * the consumer moves the given partitions to the given offsets and drops the rest of
 * the batch, committing nothing.
 */
export class RepositionRequest extends Error {
  constructor(readonly positions: Array<{ topic: string; partition: number; offset: string }>) {
    super('reposition requested');
    this.name = 'RepositionRequest';
  }
}

/** What a handler may report back: messages it found permanently bad (dead-lettered, then committed past). */
export interface HandleResult {
  poison?: Array<{ offset: string; reason: string }>;
}

export interface Decoded<T> {
  value: T;
  offset: string;
  key: string | null;
  timestamp: string;
  headers: KafkaMessage['headers'];
}

export interface BatchContext {
  topic: string;
  partition: number;
  /** Call during long work so the group does not consider this member dead. */
  heartbeat(): Promise<void>;
}

export interface ConsumerSpec<T> {
  groupId: string;
  topics: string[];
  /** Where a group with no committed offset starts. */
  fromBeginning: boolean;
  decode(message: KafkaMessage, topic: string): T;
  handle(messages: Array<Decoded<T>>, ctx: BatchContext): Promise<HandleResult | void>;
  /** Called whenever the group hands this member its partitions (after every rebalance). */
  onAssignment?(assigned: ReadonlyMap<string, number[]>): Promise<void> | void;
  /** Backoff bounds for retrying a failed batch. */
  retry?: { initialMs: number; maxMs: number };
}

export interface ConsumerStats {
  processed: number;
  deadLettered: number;
  failedBatches: number;
}

export interface PartitionLag {
  topic: string;
  partition: number;
  committed: string;
  high: string;
  lag: number;
}

export class HeraldConsumer<T> {
  private readonly consumer: Consumer;
  private running = false;
  private readonly assigned = new Map<string, number[]>();
  readonly stats: ConsumerStats = { processed: 0, deadLettered: 0, failedBatches: 0 };

  constructor(
    private readonly kafka: Kafka,
    private readonly producer: HeraldProducer,
    private readonly spec: ConsumerSpec<T>,
    private readonly logger: Logger,
  ) {
    this.consumer = kafka.consumer({
      groupId: spec.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      maxBytesPerPartition: 4 * 1024 * 1024,
      // Bounds how long stop() and pause wait on an idle long-poll; data is returned as soon as it arrives.
      maxWaitTimeInMs: 1000,
    });
  }

  get groupId(): string {
    return this.spec.groupId;
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.spec.topics, fromBeginning: this.spec.fromBeginning });
    this.running = true;
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      this.assigned.clear();
      for (const [topic, partitions] of Object.entries(payload.memberAssignment)) {
        this.assigned.set(topic, partitions);
      }
      if (this.spec.onAssignment) {
        Promise.resolve(this.spec.onAssignment(this.assigned)).catch((err: unknown) =>
          this.logger.error({ err }, 'assignment handler failed'),
        );
      }
    });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
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

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, heartbeat, isRunning, isStale } = payload;
    if (batch.messages.length === 0) return;
    const good: Array<Decoded<T>> = [];
    const poison: Array<{ message: KafkaMessage; reason: string }> = [];
    for (const message of batch.messages) {
      try {
        good.push({
          value: this.spec.decode(message, batch.topic),
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

    const retry = this.spec.retry ?? { initialMs: 200, maxMs: 30_000 };
    let delay = retry.initialMs;
    let deadLettered = 0;
    for (;;) {
      if (!isRunning() || isStale()) return; // rebalanced or stopping: the new owner re-reads
      try {
        const result =
          good.length > 0
            ? await this.spec.handle(good, { topic: batch.topic, partition: batch.partition, heartbeat })
            : undefined;
        const rejected = result?.poison ?? [];
        const byOffset = new Map(batch.messages.map((m) => [m.offset, m]));
        const dead = [...poison];
        for (const r of rejected) {
          const message = byOffset.get(r.offset);
          if (message) dead.push({ message, reason: r.reason });
        }
        if (dead.length > 0) await this.deadLetter(batch.topic, batch.partition, dead);
        deadLettered = dead.length;
        this.stats.processed += good.length - rejected.length;
        break;
      } catch (err) {
        if (err instanceof RepositionRequest) {
          for (const p of err.positions) this.consumer.seek(p);
          return;
        }
        this.stats.failedBatches++;
        this.logger.error(
          {
            err,
            topic: batch.topic,
            partition: batch.partition,
            firstOffset: batch.firstOffset(),
            retryInMs: delay,
          },
          'batch failed; retrying without committing',
        );
        await sleep(delay);
        await heartbeat().catch(() => undefined);
        delay = Math.min(delay * 2, retry.maxMs);
      }
    }

    const last = batch.lastOffset();
    await this.consumer.commitOffsets([
      { topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() },
    ]);
    payload.resolveOffset(last);
    this.stats.deadLettered += deadLettered;
  }

  private async deadLetter(
    topic: string,
    partition: number,
    items: Array<{ message: KafkaMessage; reason: string }>,
  ): Promise<void> {
    const now = new Date().toISOString();
    await this.producer.send(
      Topics.deadLetter,
      items.map(({ message, reason }) => {
        this.logger.warn({ topic, partition, offset: message.offset, reason }, 'dead-lettered a message');
        return {
          key: message.key?.toString('utf8') ?? `${topic}:${partition}:${message.offset}`,
          value: message.value ?? Buffer.alloc(0),
          headers: {
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
