/**
 * Idempotent producer: acks from all in-sync replicas, one request in flight per
 * broker so retries cannot reorder a partition.
 *
 * Group commit: while a request is in flight, the calls that arrive meanwhile wait and
 * then go out together as the next request, so many small concurrent appends (one per
 * HTTP request, say) cost one broker round trip between them instead of one each. An
 * idle producer sends a call at once. Calls resolve in the order they were made, each
 * once the broker has its messages durably; a failed request fails every call in it.
 */
import './wire/kafkajs-preload'; // before kafkajs: see there
import { Kafka, Message, Producer } from 'kafkajs';
import { fastDefaultPartitioner } from './wire/partitioner';

export interface OutgoingMessage {
  key: string;
  value: string | Buffer;
  headers?: Record<string, string>;
  timestamp?: string;
}

type TopicBatch = { topic: string; messages: OutgoingMessage[] };

interface QueuedCall {
  batches: TopicBatch[];
  bytes: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class HeraldProducer {
  private readonly producer: Producer;
  private connected = false;
  private queue: QueuedCall[] = [];
  private draining: Promise<void> | undefined;

  constructor(kafka: Kafka) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // Murmur2 on the key, as the Java client: a key lands on the same partition whoever produces it.
      createPartitioner: fastDefaultPartitioner,
    });
  }

  async connect(): Promise<void> {
    if (this.connected) return;
    await this.producer.connect();
    this.connected = true;
  }

  /** Appends messages to one topic; resolves once the broker has them durably. */
  send(topic: string, messages: OutgoingMessage[]): Promise<void> {
    return this.sendBatch([{ topic, messages }]);
  }

  /**
   * Appends to several topics, as few requests as the broker's size limit allows: a
   * request's record batch per partition must stay under `message.max.bytes` (1 MiB by
   * default), so large calls are split into chunks sent in order.
   */
  sendBatch(batches: TopicBatch[]): Promise<void> {
    const bytes = batches.reduce((n, b) => n + b.messages.reduce((m, x) => m + sizeOf(x), 0), 0);
    if (bytes === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ batches, bytes, resolve, reject });
      // `draining` is cleared in the same synchronous step that finds the queue empty.
      this.draining ??= this.drain();
    });
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    await this.draining;
    this.connected = false;
    await this.producer.disconnect();
  }

  /** Sends what is queued, whole calls at a time, up to a request's size. */
  private async drain(): Promise<void> {
    for (;;) {
      if (this.queue.length === 0) {
        this.draining = undefined;
        return;
      }
      let bytes = 0;
      let n = 0;
      while (n < this.queue.length && (n === 0 || bytes + this.queue[n]!.bytes <= MAX_REQUEST_BYTES)) {
        bytes += this.queue[n]!.bytes;
        n++;
      }
      const calls = this.queue.splice(0, n);
      try {
        for (const chunk of chunkByBytes(
          calls.flatMap((c) => c.batches),
          MAX_REQUEST_BYTES,
        )) {
          await this.producer.sendBatch({
            acks: -1,
            topicMessages: chunk.map((b) => ({ topic: b.topic, messages: b.messages.map(toKafka) })),
          });
        }
        for (const c of calls) c.resolve();
      } catch (err) {
        for (const c of calls) c.reject(err);
      }
    }
  }
}

/** Well under the broker's default 1 MiB message.max.bytes, leaving room for framing. */
export const MAX_REQUEST_BYTES = 768 * 1024;

function sizeOf(m: OutgoingMessage): number {
  let n =
    64 +
    Buffer.byteLength(m.key) +
    (typeof m.value === 'string' ? Buffer.byteLength(m.value) : m.value.length);
  for (const [k, v] of Object.entries(m.headers ?? {})) n += k.length + Buffer.byteLength(v) + 8;
  return n;
}

export function chunkByBytes(batches: TopicBatch[], limit: number): TopicBatch[][] {
  const chunks: TopicBatch[][] = [];
  let current: TopicBatch[] = [];
  let size = 0;
  for (const { topic, messages } of batches) {
    for (const m of messages) {
      const n = sizeOf(m);
      if (size > 0 && size + n > limit) {
        chunks.push(current);
        current = [];
        size = 0;
      }
      let entry = current.find((b) => b.topic === topic);
      if (!entry) {
        entry = { topic, messages: [] };
        current.push(entry);
      }
      entry.messages.push(m);
      size += n;
    }
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

function toKafka(m: OutgoingMessage): Message {
  return { key: m.key, value: m.value, headers: m.headers, timestamp: m.timestamp };
}
