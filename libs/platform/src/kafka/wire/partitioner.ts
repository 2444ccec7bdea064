/**
 * The Java client's default partitioning (murmur2 of the key, positive, modulo the
 * partition count), so a key lands on the same partition whichever client produced it.
 * Same answers as kafkajs's DefaultPartitioner, in 32-bit integer arithmetic instead of
 * 64-bit BigInt arithmetic, and without allocating for a string key.
 */
import { randomBytes } from 'node:crypto';
import type { ICustomPartitioner, PartitionerArgs } from 'kafkajs';

const M = 0x5bd1e995;
const SEED = 0x9747b28c;

/** Kafka's murmur2 (org.apache.kafka.common.utils.Utils#murmur2) of a key's UTF-8 bytes. */
export function murmur2(key: string | Buffer): number {
  if (Buffer.isBuffer(key)) return murmur2Bytes(key, key.length);
  const text = String(key);
  const size = Buffer.byteLength(text);
  if (size > scratch.length) scratch = Buffer.allocUnsafe(Math.max(size, scratch.length * 2));
  return murmur2Bytes(scratch, scratch.write(text, 0, 'utf8'));
}

/** Reused for string keys, so hashing one allocates nothing. */
let scratch = Buffer.allocUnsafe(256);

function murmur2Bytes(data: Buffer, length: number): number {
  let h = (SEED ^ length) | 0;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  // The tail bytes, as the reference's fall-through switch takes them.
  const tail = length & 3;
  if (tail === 3) h ^= data[whole + 2]! << 16;
  if (tail >= 2) h ^= data[whole + 1]! << 8;
  if (tail >= 1) {
    h ^= data[whole]!;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/**
 * kafkajs's DefaultPartitioner, rule for rule: an explicit partition wins; a key is
 * hashed; a keyless message goes round-robin over the partitions that have a leader.
 */
export const fastDefaultPartitioner: ICustomPartitioner = () => {
  const counters = new Map<string, number>();
  return ({ topic, partitionMetadata, message }: PartitionerArgs): number => {
    if (message.partition !== null && message.partition !== undefined) return message.partition;
    const numPartitions = partitionMetadata.length;
    if (message.key !== null && message.key !== undefined) {
      return (murmur2(message.key) & 0x7fffffff) % numPartitions;
    }
    const next = (counters.get(topic) ?? randomBytes(4).readUInt32BE(0)) + 1;
    counters.set(topic, next);
    const available = partitionMetadata.filter((p) => p.leader >= 0);
    if (available.length > 0) return available[(next & 0x7fffffff) % available.length]!.partitionId;
    return (next & 0x7fffffff) % numPartitions;
  };
};
