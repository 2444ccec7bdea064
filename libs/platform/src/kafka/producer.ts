/**
 * Idempotent producer: acks from all in-sync replicas, one request in flight per
 * broker so retries cannot reorder a partition, batches sent as one request per call.
 */
import { Kafka, Message, Partitioners, Producer } from 'kafkajs';

export interface OutgoingMessage {
  key: string;
  value: string | Buffer;
  headers?: Record<string, string>;
  timestamp?: string;
}

export class HeraldProducer {
  private readonly producer: Producer;
  private connected = false;

  constructor(kafka: Kafka) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // Murmur2 on the key, as the Java client: a key lands on the same partition whoever produces it.
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  async connect(): Promise<void> {
    if (this.connected) return;
    await this.producer.connect();
    this.connected = true;
  }

  /** Appends messages to one topic; resolves once the broker has them durably. */
  async send(topic: string, messages: OutgoingMessage[]): Promise<void> {
    await this.sendBatch([{ topic, messages }]);
  }

  /**
   * Appends to several topics, as few requests as the broker's size limit allows: a
   * request's record batch per partition must stay under `message.max.bytes` (1 MiB by
   * default), so large calls are split into chunks sent in order.
   */
  async sendBatch(batches: Array<{ topic: string; messages: OutgoingMessage[] }>): Promise<void> {
    for (const chunk of chunkByBytes(batches, MAX_REQUEST_BYTES)) {
      await this.producer.sendBatch({
        acks: -1,
        topicMessages: chunk.map((b) => ({ topic: b.topic, messages: b.messages.map(toKafka) })),
      });
    }
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    await this.producer.disconnect();
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

export function chunkByBytes(
  batches: Array<{ topic: string; messages: OutgoingMessage[] }>,
  limit: number,
): Array<Array<{ topic: string; messages: OutgoingMessage[] }>> {
  const chunks: Array<Array<{ topic: string; messages: OutgoingMessage[] }>> = [];
  let current: Array<{ topic: string; messages: OutgoingMessage[] }> = [];
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
