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
    if (messages.length === 0) return;
    await this.producer.send({ topic, acks: -1, messages: messages.map(toKafka) });
  }

  /** Appends to several topics in one round trip. */
  async sendBatch(batches: Array<{ topic: string; messages: OutgoingMessage[] }>): Promise<void> {
    const nonEmpty = batches.filter((b) => b.messages.length > 0);
    if (nonEmpty.length === 0) return;
    await this.producer.sendBatch({
      acks: -1,
      topicMessages: nonEmpty.map((b) => ({ topic: b.topic, messages: b.messages.map(toKafka) })),
    });
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    await this.producer.disconnect();
  }
}

function toKafka(m: OutgoingMessage): Message {
  return { key: m.key, value: m.value, headers: m.headers, timestamp: m.timestamp };
}
