/**
 * The body of a Produce request (versions 3 to 7, which share one layout), uncompressed,
 * written straight into one buffer whose size is worked out first.
 *
 * kafkajs builds the same bytes from a growable encoder per record, per header and per
 * varint (each varint a fresh Buffer), which made encoding the larger part of the cost of
 * appending an event. The layout, field for field:
 *
 *   Produce => transactional_id:NULLABLE_STRING acks:INT16 timeout:INT32 [topic]
 *     topic => name:STRING [partition]
 *       partition => index:INT32 record_set_size:INT32 RecordBatch
 *   RecordBatch => base_offset:INT64 batch_length:INT32 partition_leader_epoch:INT32
 *     magic:INT8(2) crc:UINT32 attributes:INT16 last_offset_delta:INT32
 *     base_timestamp:INT64 max_timestamp:INT64 producer_id:INT64 producer_epoch:INT16
 *     base_sequence:INT32 [Record]:INT32-counted
 *   Record => length:VARINT attributes:INT8 timestamp_delta:VARLONG offset_delta:VARINT
 *     key:VARINT-BYTES value:VARINT-BYTES [header]:VARINT-counted
 *       header => key:VARINT-STRING value:VARINT-BYTES
 *
 * The CRC-32C covers everything from the attributes to the end of the batch.
 */
import { crc32c } from './crc32c';

export type WireValue = string | Buffer | null | undefined;

export interface WireMessage {
  key?: WireValue;
  value: WireValue;
  headers?: Record<string, WireValue | WireValue[]>;
  timestamp?: string | number;
}

export interface ProducePartitionData {
  /** kafkajs passes partitions as object keys, so possibly a numeric string. */
  partition: number | string;
  firstSequence?: number;
  messages: WireMessage[];
}

export interface ProduceRequestArgs {
  acks: number;
  timeout: number;
  transactionalId?: string | null;
  /** A kafkajs Long, a bigint, a number or a decimal string; -1 when not idempotent. */
  producerId?: unknown;
  producerEpoch?: number;
  topicData: Array<{ topic: string; partitions: ProducePartitionData[] }>;
}

const TRANSACTIONAL = 0x10;
/** base_offset … record count: the fixed part of a RecordBatch. */
const BATCH_OVERHEAD = 8 + 4 + 4 + 1 + 4 + 2 + 4 + 8 + 8 + 8 + 2 + 4 + 4;

export function encodeProduceRequest(args: ProduceRequestArgs, now: number = Date.now()): Buffer {
  const producerId = toBigInt(args.producerId);
  const producerEpoch = args.producerEpoch ?? 0;
  const attributes = args.transactionalId ? TRANSACTIONAL : 0;

  // Pass 1: every size, kept so pass 2 does not work them out again.
  const plans: PartitionPlan[] = [];
  let size = 2 + (args.transactionalId == null ? 0 : Buffer.byteLength(args.transactionalId)) + 2 + 4 + 4;
  for (const { topic, partitions } of args.topicData) {
    size += 2 + Buffer.byteLength(topic) + 4;
    for (const p of partitions) {
      const plan = planPartition(p, now);
      plans.push(plan);
      size += 4 + 4 + plan.batchSize;
    }
  }

  // Pass 2: the bytes.
  const w = new Writer(Buffer.allocUnsafe(size));
  w.nullableString(args.transactionalId ?? null);
  w.int16(args.acks);
  w.int32(args.timeout);
  w.int32(args.topicData.length);
  let next = 0;
  for (const { topic, partitions } of args.topicData) {
    w.nullableString(topic);
    w.int32(partitions.length);
    for (const p of partitions) {
      const plan = plans[next++]!;
      w.int32(Number(p.partition));
      w.int32(plan.batchSize);
      w.int64(0n); // base offset: the broker assigns offsets
      w.int32(plan.batchSize - 12);
      w.int32(0); // partition leader epoch
      w.int8(2); // magic
      const crcAt = w.pos;
      w.pos += 4;
      const crcFrom = w.pos;
      w.int16(attributes);
      w.int32(p.messages.length - 1);
      w.int64(BigInt(plan.firstTimestamp));
      w.int64(BigInt(plan.maxTimestamp));
      w.int64(producerId);
      w.int16(producerEpoch);
      w.int32(p.firstSequence ?? 0);
      w.int32(p.messages.length);
      for (let i = 0; i < p.messages.length; i++) {
        const m = p.messages[i]!;
        w.varint(plan.bodySizes[i]!);
        w.int8(0); // record attributes: none
        w.varlong(plan.timestampDeltas[i]!);
        w.varint(i);
        w.bytes(m.key);
        w.bytes(m.value);
        const headers = plan.headers[i]!;
        w.varint(headers.length);
        for (const [k, v] of headers) {
          w.varint(Buffer.byteLength(k));
          w.text(k);
          w.bytes(v);
        }
      }
      w.buf.writeUInt32BE(crc32c(w.buf, crcFrom, w.pos), crcAt);
    }
  }
  if (w.pos !== size) throw new Error(`produce request: wrote ${w.pos} bytes, planned ${size}`);
  return w.buf;
}

interface PartitionPlan {
  batchSize: number;
  firstTimestamp: number;
  maxTimestamp: number;
  bodySizes: number[];
  timestampDeltas: number[];
  headers: Array<Array<[string, WireValue]>>;
}

function planPartition(p: ProducePartitionData, now: number): PartitionPlan {
  let first = Infinity;
  let max = -Infinity;
  for (const m of p.messages) {
    if (m.timestamp == null) continue;
    const t = Number(m.timestamp);
    if (t < first) first = t;
    if (t > max) max = t;
  }
  if (first === Infinity) first = max = now;
  const bodySizes: number[] = new Array<number>(p.messages.length);
  const timestampDeltas: number[] = new Array<number>(p.messages.length);
  const headerLists: PartitionPlan['headers'] = new Array<Array<[string, WireValue]>>(p.messages.length);
  let batchSize = BATCH_OVERHEAD;
  for (let i = 0; i < p.messages.length; i++) {
    const m = p.messages[i]!;
    const delta = (m.timestamp ? Number(m.timestamp) : now) - first;
    let body = 1 + varlongSize(delta) + varintSize(i) + bytesSize(m.key) + bytesSize(m.value);
    const headers = headerList(m.headers);
    body += varintSize(headers.length);
    for (const [k, v] of headers) {
      const n = Buffer.byteLength(k);
      body += varintSize(n) + n + bytesSize(v);
    }
    bodySizes[i] = body;
    timestampDeltas[i] = delta;
    headerLists[i] = headers;
    batchSize += varintSize(body) + body;
  }
  return {
    batchSize,
    firstTimestamp: first,
    maxTimestamp: max,
    bodySizes,
    timestampDeltas,
    headers: headerLists,
  };
}

const NO_HEADERS: Array<[string, WireValue]> = [];

/** Headers as kafkajs sends them: one entry per value, an array's values in order. */
function headerList(headers: WireMessage['headers']): Array<[string, WireValue]> {
  if (!headers) return NO_HEADERS;
  const list: Array<[string, WireValue]> = [];
  for (const key of Object.keys(headers)) {
    const value = headers[key];
    if (Array.isArray(value)) for (const v of value) list.push([key, v]);
    else list.push([key, value]);
  }
  return list;
}

function bytesSize(v: WireValue): number {
  if (v == null) return 1; // length -1
  const n = Buffer.isBuffer(v) ? v.length : Buffer.byteLength(String(v));
  return varintSize(n) + n;
}

/** Bytes of a zigzag varint of a 32-bit integer. */
function varintSize(v: number): number {
  let u = ((v << 1) ^ (v >> 31)) >>> 0;
  let n = 1;
  while (u > 0x7f) {
    u >>>= 7;
    n++;
  }
  return n;
}

/** Bytes of a zigzag varlong of a safe integer. */
function varlongSize(v: number): number {
  let u = v >= 0 ? v * 2 : -v * 2 - 1;
  let n = 1;
  while (u > 0x7f) {
    u = Math.floor(u / 128);
    n++;
  }
  return n;
}

function toBigInt(v: unknown): bigint {
  if (v == null) return -1n;
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' || typeof v === 'string') return BigInt(v);
  const inner = (v as { value?: unknown }).value;
  if (typeof inner === 'bigint') return inner; // kafkajs's Long wraps a bigint
  throw new TypeError('produce request: producer id is not a 64-bit integer');
}

class Writer {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  int8(v: number): void {
    this.buf[this.pos++] = v & 0xff;
  }

  int16(v: number): void {
    this.pos = this.buf.writeInt16BE(v, this.pos);
  }

  int32(v: number): void {
    this.pos = this.buf.writeInt32BE(v, this.pos);
  }

  int64(v: bigint): void {
    this.pos = this.buf.writeBigInt64BE(BigInt.asIntN(64, v), this.pos);
  }

  varint(v: number): void {
    let u = ((v << 1) ^ (v >> 31)) >>> 0;
    while (u > 0x7f) {
      this.buf[this.pos++] = (u & 0x7f) | 0x80;
      u >>>= 7;
    }
    this.buf[this.pos++] = u;
  }

  varlong(v: number): void {
    let u = v >= 0 ? v * 2 : -v * 2 - 1;
    while (u > 0x7f) {
      this.buf[this.pos++] = (u % 128) | 0x80;
      u = Math.floor(u / 128);
    }
    this.buf[this.pos++] = u;
  }

  text(s: string): void {
    this.pos += this.buf.write(s, this.pos);
  }

  nullableString(s: string | null): void {
    if (s === null) {
      this.int16(-1);
      return;
    }
    this.int16(Buffer.byteLength(s));
    this.text(s);
  }

  bytes(v: WireValue): void {
    if (v == null) {
      this.varint(-1);
      return;
    }
    if (Buffer.isBuffer(v)) {
      this.varint(v.length);
      this.pos += v.copy(this.buf, this.pos);
      return;
    }
    const s = String(v);
    this.varint(Buffer.byteLength(s));
    this.text(s);
  }
}
