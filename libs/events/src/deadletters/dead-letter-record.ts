/**
 * A record of `herald.internal.deadletter.v1` as operators see it: the headers every
 * consumer writes with a poison message (reason, where it came from, which group gave up
 * on it) read back, and the original value shown as its first bytes, escaped.
 */
import { DEAD_LETTER_HEADER_PREFIX, DeadLetterHeaders } from '@herald/contracts';
import type { KafkaMessage } from '@herald/platform';

export interface DeadLetterSource {
  topic: string;
  partition: number;
  offset: string;
}

export interface DeadLetterRecord {
  partition: number;
  offset: string;
  /** When the record was appended to the dead-letter topic. */
  time: string;
  reason: string | null;
  /** Where the original message was; null for a record without Herald's headers. */
  source: DeadLetterSource | null;
  consumerGroup: string | null;
  key: string | null;
  value: Buffer;
  /** The original message's headers (the dead-letter ones left out). */
  headers: Record<string, string>;
}

/** Bytes of the value shown in listings. */
export const PREVIEW_BYTES = 60;

export function parseDeadLetter(partition: number, message: KafkaMessage): DeadLetterRecord {
  const headers: Record<string, string> = {};
  const dlq: Record<string, string> = {};
  for (const [name, raw] of Object.entries(message.headers ?? {})) {
    const one = Array.isArray(raw) ? raw[0] : raw;
    if (one === undefined) continue;
    (name.startsWith(DEAD_LETTER_HEADER_PREFIX) ? dlq : headers)[name] = one.toString();
  }
  const header = (name: string): string | null => dlq[name] ?? null;
  const topic = header(DeadLetterHeaders.sourceTopic);
  const sourcePartition = header(DeadLetterHeaders.sourcePartition);
  const sourceOffset = header(DeadLetterHeaders.sourceOffset);
  const source =
    topic && sourcePartition !== null && /^\d+$/.test(sourcePartition) && /^\d+$/.test(sourceOffset ?? '')
      ? { topic, partition: Number(sourcePartition), offset: sourceOffset! }
      : null;
  return {
    partition,
    offset: message.offset,
    time: new Date(Number(message.timestamp)).toISOString(),
    reason: header(DeadLetterHeaders.reason),
    source,
    consumerGroup: header(DeadLetterHeaders.consumerGroup),
    key: message.key?.toString('utf8') ?? null,
    value: message.value ?? Buffer.alloc(0),
    headers,
  };
}

/**
 * The first `bytes` bytes, printable ASCII as is and everything else (including
 * non-ASCII UTF-8) as `\xNN`, so a listing never carries control characters to a
 * terminal; `…` marks a value cut short.
 */
export function previewBytes(value: Buffer, bytes = PREVIEW_BYTES): string {
  let out = '';
  for (const b of value.subarray(0, bytes)) {
    if (b === 0x5c) out += '\\\\';
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return value.length > bytes ? `${out}…` : out;
}

/** The machine-readable shape of a record (`herald deadletters list --json`). */
export interface DeadLetterView {
  partition: number;
  offset: string;
  time: string;
  reason: string | null;
  source_topic: string | null;
  source_partition: number | null;
  source_offset: string | null;
  consumer_group: string | null;
  key: string | null;
  /** The original message's own headers. */
  headers: Record<string, string>;
  value_bytes: number;
  value_preview: string;
  /** When this record's original was re-appended to its source topic; null if never. */
  redriven_at: string | null;
}

export function deadLetterView(r: DeadLetterRecord, redrivenAt: Date | null): DeadLetterView {
  return {
    partition: r.partition,
    offset: r.offset,
    time: r.time,
    reason: r.reason,
    source_topic: r.source?.topic ?? null,
    source_partition: r.source?.partition ?? null,
    source_offset: r.source?.offset ?? null,
    consumer_group: r.consumerGroup,
    key: r.key,
    headers: r.headers,
    value_bytes: r.value.length,
    value_preview: previewBytes(r.value),
    redriven_at: redrivenAt?.toISOString() ?? null,
  };
}

export function sourceId(s: DeadLetterSource): string {
  return `${s.topic}/${s.partition}@${s.offset}`;
}
