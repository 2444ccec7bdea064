/**
 * Fetch responses (version 11) decoded in one pass over the buffer, into exactly the
 * objects kafkajs's own decoder returns, so the rest of kafkajs (offset tracking,
 * control records, aborted transactions) is unchanged. kafkajs makes a decoder object
 * per record and per header and goes through 64-bit BigInt arithmetic for every offset
 * and timestamp; on the projector and translator that was most of reading a record.
 *
 *   Fetch => throttle_time_ms:INT32 error_code:INT16 session_id:INT32 [topic]
 *     topic => name:STRING [partition]
 *       partition => index:INT32 error_code:INT16 high_watermark:INT64
 *         last_stable_offset:INT64 log_start_offset:INT64
 *         [aborted => producer_id:INT64 first_offset:INT64] preferred_read_replica:INT32
 *         records:INT32-sized (record batches, the last one possibly cut short)
 *
 * A partition whose records are not plain (uncompressed, magic 2) record batches is
 * handed to kafkajs's decoder (`legacy`), as is everything it does not recognise.
 */

export interface FetchedRecord {
  magicByte: number;
  attributes: number;
  timestamp: string;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | null | Array<Buffer | null>>;
  isControlRecord: boolean;
  batchContext: BatchContext;
}

export interface BatchContext {
  firstOffset: string;
  firstTimestamp: string;
  partitionLeaderEpoch: number;
  inTransaction: boolean;
  isControlBatch: boolean;
  lastOffsetDelta: number;
  producerId: string;
  producerEpoch: number;
  firstSequence: number;
  maxTimestamp: string;
  timestampType: number;
  magicByte: number;
}

/** kafkajs's decoder for one partition's records, given the buffer from their INT32 size on. */
export type LegacyRecordsDecoder = (fromSize: Buffer) => Promise<unknown[]>;

/** Where a batch's fields sit from its start (the same for legacy message sets up to the magic). */
const LENGTH_AT = 8;
const MAGIC_AT = 16;
const ATTRIBUTES_AT = 21;
/** base_offset and batch_length: the bytes before what batch_length counts. */
const FRAME_HEADER = 12;
const RECORD_BATCH_OVERHEAD = 49;
const COMPRESSION_MASK = 0x07;
const TIMESTAMP_TYPE_FLAG = 0x08;
const TRANSACTIONAL_FLAG = 0x10;
const CONTROL_FLAG = 0x20;
/** kafkajs's TimestampTypes. */
const CREATE_TIME = 0;
const LOG_APPEND_TIME = 1;

export async function decodeFetchV11(raw: Buffer, legacy: LegacyRecordsDecoder): Promise<unknown> {
  const r = new Reader(raw);
  const clientSideThrottleTime = r.int32();
  const errorCode = r.int16();
  const sessionId = r.int32();
  const topicCount = r.int32();
  const responses = [];
  for (let t = 0; t < Math.max(topicCount, 0); t++) {
    const topicName = r.string();
    const partitionCount = r.int32();
    const partitions = [];
    for (let p = 0; p < Math.max(partitionCount, 0); p++) {
      const partition = r.int32();
      const partitionError = r.int16();
      const highWatermark = r.int64String();
      const lastStableOffset = r.int64String();
      const lastStartOffset = r.int64String();
      const abortedCount = r.int32();
      const abortedTransactions = [];
      for (let a = 0; a < Math.max(abortedCount, 0); a++) {
        abortedTransactions.push({ producerId: r.int64String(), firstOffset: r.int64String() });
      }
      const preferredReadReplica = r.int32();
      const messages = await decodeRecords(r, legacy);
      partitions.push({
        partition,
        errorCode: partitionError,
        highWatermark,
        lastStableOffset,
        lastStartOffset,
        abortedTransactions,
        preferredReadReplica,
        messages,
      });
    }
    responses.push({ topicName, partitions });
  }
  return { throttleTime: 0, clientSideThrottleTime, errorCode, sessionId, responses };
}

async function decodeRecords(r: Reader, legacy: LegacyRecordsDecoder): Promise<unknown[]> {
  const sizeAt = r.pos;
  const size = r.int32();
  // As kafkajs: nothing, or a size the response cannot hold, reads as no records.
  if (size <= 0 || r.pos + size > r.buf.length) return [];
  const buf = r.buf;
  const start = r.pos;
  const end = start + size;
  r.pos = end;
  const toKafkajs = (): Promise<unknown[]> => legacy(buf.subarray(sizeAt));
  if (size <= MAGIC_AT || buf.readInt8(start + MAGIC_AT) !== 2) return toKafkajs();
  const records: FetchedRecord[] = [];
  for (let at = start; end - at >= RECORD_BATCH_OVERHEAD;) {
    const batchEnd = at + FRAME_HEADER + buf.readInt32BE(at + LENGTH_AT);
    if (batchEnd > end) break; // cut short by the fetch size: the next fetch starts there
    // Rare (a compressed or older batch mid-partition): kafkajs decodes the whole partition.
    if (buf.readInt8(at + MAGIC_AT) !== 2 || (buf.readInt16BE(at + ATTRIBUTES_AT) & COMPRESSION_MASK) !== 0) {
      return toKafkajs();
    }
    decodeBatch(new Reader(buf, at), batchEnd, records);
    at = batchEnd;
  }
  return records;
}

function decodeBatch(r: Reader, batchEnd: number, out: FetchedRecord[]): void {
  const firstOffset = r.int64();
  r.pos += 4; // batch length: the caller framed the batch
  const partitionLeaderEpoch = r.int32();
  const magicByte = r.int8();
  r.pos += 4; // crc: the broker checked it on append
  const attributes = r.int16();
  const lastOffsetDelta = r.int32();
  const firstTimestamp = r.int64();
  const maxTimestamp = r.int64String();
  const producerId = r.int64String();
  const producerEpoch = r.int16();
  const firstSequence = r.int32();
  const isControlBatch = (attributes & CONTROL_FLAG) > 0;
  const timestampType = (attributes & TIMESTAMP_TYPE_FLAG) > 0 ? LOG_APPEND_TIME : CREATE_TIME;
  const batchContext: BatchContext = {
    firstOffset: String(firstOffset),
    firstTimestamp: String(firstTimestamp),
    partitionLeaderEpoch,
    inTransaction: (attributes & TRANSACTIONAL_FLAG) > 0,
    isControlBatch,
    lastOffsetDelta,
    producerId,
    producerEpoch,
    firstSequence,
    maxTimestamp,
    timestampType,
    magicByte,
  };
  const count = r.int32();
  for (let i = 0; i < count && r.pos < batchEnd; i++) {
    const length = r.varint();
    const next = r.pos + length;
    const recordAttributes = r.int8();
    const timestampDelta = r.varlong();
    const offsetDelta = r.varint();
    const key = r.varBytes();
    const value = r.varBytes();
    const headerCount = r.varint();
    const headers: FetchedRecord['headers'] = {};
    for (let h = 0; h < headerCount; h++) {
      // A null key becomes the property "null", as it does in kafkajs.
      const k = String(r.varString());
      const v = r.varBytes();
      const seen = headers[k];
      headers[k] = seen === undefined ? v : Array.isArray(seen) ? [...seen, v] : [seen, v];
    }
    r.pos = next;
    out.push({
      magicByte,
      attributes: recordAttributes,
      timestamp:
        timestampType === LOG_APPEND_TIME && maxTimestamp
          ? maxTimestamp
          : add64(firstTimestamp, timestampDelta),
      offset: add64(firstOffset, offsetDelta),
      key,
      value,
      headers,
      isControlRecord: isControlBatch,
      batchContext,
    });
  }
}

/** A 64-bit base plus a delta, as decimal text; exact beyond 2^53 too. */
function add64(base: bigint | number, delta: number): string {
  if (typeof base === 'number') {
    const sum = base + delta;
    if (Number.isSafeInteger(sum)) return String(sum);
  }
  return String(BigInt.asIntN(64, BigInt(base) + BigInt(delta)));
}

class Reader {
  constructor(
    readonly buf: Buffer,
    public pos = 0,
  ) {}

  int8(): number {
    return this.buf.readInt8(this.pos++);
  }

  int16(): number {
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  int32(): number {
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** A number when it is a safe integer, else a bigint. */
  int64(): number | bigint {
    const hi = this.buf.readInt32BE(this.pos);
    const lo = this.buf.readUInt32BE(this.pos + 4);
    this.pos += 8;
    if (hi >= -0x200000 && hi < 0x200000) return hi * 0x100000000 + lo;
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  int64String(): string {
    return String(this.int64());
  }

  varint(): number {
    let u = 0;
    let shift = 0;
    for (;;) {
      const b = this.buf[this.pos++]!;
      u |= (b & 0x7f) << shift;
      if (b < 0x80) break;
      shift += 7;
      if (shift > 28) throw new Error('varint longer than 5 bytes');
    }
    return (u >>> 1) ^ -(u & 1);
  }

  varlong(): number {
    let u = 0;
    let scale = 1;
    for (;;) {
      const b = this.buf[this.pos++]!;
      u += (b & 0x7f) * scale;
      if (b < 0x80) break;
      scale *= 128;
      if (scale > 2 ** 63) throw new Error('varlong longer than 10 bytes');
    }
    // Zigzag on a double: exact while |value| < 2^53, which timestamp deltas are.
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  string(): string | null {
    const n = this.int16();
    if (n === -1) return null;
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  varString(): string | null {
    const n = this.varint();
    if (n === -1) return null;
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  varBytes(): Buffer | null {
    const n = this.varint();
    if (n === -1) return null;
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
}
