import { randomBytes } from 'node:crypto';
import { Partitioners, PartitionMetadata } from 'kafkajs';
import { crc32c } from './crc32c';
import { decodeFetchV11 } from './fetch-response';
import { fastDefaultPartitioner, murmur2 } from './partitioner';
import { installKafkajsFastPaths } from './kafkajs-fast-paths';
import { groupMessagesPerPartition } from './kafkajs-preload';
import { encodeProduceRequest, ProduceRequestArgs } from './produce-request';

/* eslint-disable @typescript-eslint/no-require-imports */
const kafkajsCrc32c = require('kafkajs/src/protocol/recordBatch/crc32C') as (b: Buffer) => number;
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2') as (
  k: string | Buffer,
) => number;
const kafkajsProduceV3 = require('kafkajs/src/protocol/requests/produce/v3/request') as (args: unknown) => {
  encode: () => Promise<{ buffer: Buffer }>;
};
const Long = require('kafkajs/src/utils/long') as { fromValue: (v: unknown) => unknown };
/* eslint-enable @typescript-eslint/no-require-imports */

function randomText(n: number): string {
  const alphabet = ['a', 'Z', '0', ':', '-', 'é', 'ß', '中', '😀', ' ', '"'];
  return Array.from({ length: n }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join('');
}

describe('crc32c', () => {
  it('gives the check value of the Castagnoli polynomial', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  });

  it('agrees with kafkajs on every length around the 8-byte step', () => {
    for (let n = 0; n < 200; n++) {
      const buf = randomBytes(n);
      expect(crc32c(buf)).toBe(kafkajsCrc32c(buf));
    }
  });

  it('checksums only the given range', () => {
    const buf = randomBytes(100);
    expect(crc32c(buf, 13, 77)).toBe(kafkajsCrc32c(buf.subarray(13, 77)));
  });
});

describe('murmur2', () => {
  it("gives the Java client's values", () => {
    // From Kafka's own UtilsTest#testMurmur2.
    expect(murmur2('21')).toBe(-973932308);
    expect(murmur2('foobar')).toBe(-790332482);
    expect(murmur2('a-little-bit-long-string')).toBe(-985981536);
    expect(murmur2('a-little-bit-longer-string')).toBe(-1486304829);
    expect(murmur2('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8')).toBe(-58897971);
    expect(murmur2(Buffer.from('abc'))).toBe(479470107);
  });

  it('agrees with kafkajs on strings, multi-byte text and buffers of every tail length', () => {
    for (let n = 0; n < 300; n++) {
      const text = randomText(n % 40);
      expect(murmur2(text)).toBe(kafkajsMurmur2(text));
      const bytes = randomBytes(n);
      expect(murmur2(bytes)).toBe(kafkajsMurmur2(bytes));
    }
    const long = randomText(5000);
    expect(murmur2(long)).toBe(kafkajsMurmur2(long));
  });
});

describe('fastDefaultPartitioner', () => {
  const metadata = (n: number, leaderless: number[] = []): PartitionMetadata[] =>
    Array.from({ length: n }, (_, i) => ({
      partitionId: i,
      leader: leaderless.includes(i) ? -1 : 0,
      replicas: [0],
      isr: [0],
      partitionErrorCode: 0,
    }));

  it('places keyed messages where kafkajs does, and keeps an explicit partition', () => {
    const ours = fastDefaultPartitioner();
    const theirs = Partitioners.DefaultPartitioner();
    for (let i = 0; i < 500; i++) {
      const partitionMetadata = metadata(1 + (i % 12));
      const message = { key: `tenant${i % 7}:${randomText(i % 30)}`, value: 'v' };
      expect(ours({ topic: 't', partitionMetadata, message })).toBe(
        theirs({ topic: 't', partitionMetadata, message }),
      );
    }
    expect(
      ours({ topic: 't', partitionMetadata: metadata(6), message: { key: 'k', value: 'v', partition: 4 } }),
    ).toBe(4);
  });

  it('spreads keyless messages round-robin over partitions that have a leader', () => {
    const partition = fastDefaultPartitioner();
    const seen = Array.from({ length: 8 }, () =>
      partition({ topic: 't', partitionMetadata: metadata(4, [1]), message: { value: 'v' } }),
    );
    expect(new Set(seen)).toEqual(new Set([0, 2, 3]));
    for (let i = 1; i < seen.length; i++) expect(seen[i]).not.toBe(seen[i - 1]);
  });
});

describe('encodeProduceRequest', () => {
  const NOW = 1_764_300_000_000;

  async function kafkajsBytes(args: ProduceRequestArgs): Promise<Buffer> {
    const spy = jest.spyOn(Date, 'now').mockReturnValue(NOW);
    try {
      return (await kafkajsProduceV3(args).encode()).buffer;
    } finally {
      spy.mockRestore();
    }
  }

  async function expectSameBytes(args: ProduceRequestArgs): Promise<void> {
    const ours = encodeProduceRequest(args, NOW);
    expect(ours.equals(await kafkajsBytes(args))).toBe(true);
  }

  it('encodes an idempotent multi-topic request byte for byte as kafkajs does', async () => {
    await expectSameBytes({
      acks: -1,
      timeout: 30000,
      producerId: Long.fromValue('4242'),
      producerEpoch: 3,
      topicData: [
        {
          topic: 'herald.internal.forum.v1',
          partitions: [
            {
              partition: '2',
              firstSequence: 17,
              messages: [
                {
                  key: 'dev:1',
                  value: '{"a":1}',
                  headers: { 'herald-tenant': 'dev', kind: 'forum.post.created' },
                },
                {
                  key: 'dév:中',
                  value: Buffer.from([0, 1, 2, 255]),
                  headers: { multi: ['a', Buffer.from('b')] },
                },
                { key: null, value: null },
                { key: Buffer.alloc(0), value: '' },
              ],
            },
            { partition: 0, firstSequence: 0, messages: [{ key: 'x', value: randomText(300) }] },
          ],
        },
        {
          topic: 'herald.public.events.v1',
          partitions: [{ partition: 5, messages: [{ key: 'k', value: 'v' }] }],
        },
      ],
    });
  });

  it('matches kafkajs on message timestamps, including deltas beyond 32 bits', async () => {
    const base = NOW - 40 * 24 * 3600 * 1000;
    await expectSameBytes({
      acks: 1,
      timeout: 5000,
      topicData: [
        {
          topic: 't',
          partitions: [
            {
              partition: 0,
              messages: [
                { key: 'a', value: '1', timestamp: String(base + 5) },
                { key: 'b', value: '2', timestamp: String(base) },
                { key: 'c', value: '3', timestamp: String(NOW) },
                { key: 'd', value: '4' },
              ],
            },
          ],
        },
      ],
    });
  });

  it('matches kafkajs on a thousand records and on records needing long varints', async () => {
    await expectSameBytes({
      acks: -1,
      timeout: 30000,
      transactionalId: 'herald-tx',
      producerId: '9007199254740993',
      producerEpoch: 1,
      topicData: [
        {
          topic: 't',
          partitions: [
            {
              partition: 1,
              firstSequence: 2_000_000_000,
              messages: Array.from({ length: 1000 }, (_, i) => ({
                key: `tenant:${i}`,
                value: randomText(i === 7 ? 20_000 : i === 8 ? 200_000 : 200 + (i % 300)),
                headers: i % 3 === 0 ? { 'herald-tenant': 'tenant' } : undefined,
              })),
            },
          ],
        },
      ],
    });
  });

  it('writes a checksum the record batch verifies with', () => {
    const buf = encodeProduceRequest(
      {
        acks: -1,
        timeout: 1000,
        topicData: [{ topic: 't', partitions: [{ partition: 0, messages: [{ key: 'k', value: 'v' }] }] }],
      },
      NOW,
    );
    // transactional_id(2) acks(2) timeout(4) topics(4) name(2+1) partitions(4) index(4) size(4)
    const batch = buf.subarray(27);
    const crcFrom = 8 + 4 + 4 + 1 + 4;
    expect(batch.readUInt32BE(crcFrom - 4)).toBe(kafkajsCrc32c(batch.subarray(crcFrom)));
    expect(batch.readInt32BE(8)).toBe(batch.length - 12);
  });
});

describe('decodeFetchV11', () => {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const kafkajsFetchV11 = require('kafkajs/src/protocol/requests/fetch/v11/response') as {
    decode: (raw: Buffer) => Promise<unknown>;
  };
  const KDecoder = require('kafkajs/src/protocol/decoder') as new (b: Buffer) => unknown;
  const decodeMessages = require('kafkajs/src/protocol/requests/fetch/v4/decodeMessages') as (
    d: unknown,
  ) => Promise<unknown[]>;
  const { Types } = require('kafkajs/src/protocol/message/compression') as { Types: { GZIP: number } };
  /* eslint-enable @typescript-eslint/no-require-imports */
  const legacy = (b: Buffer): Promise<unknown[]> => decodeMessages(new KDecoder(b));

  /** One record batch as the broker stores it: encoded for a produce, then given its base offset. */
  async function batch(
    messages: ProduceRequestArgs['topicData'][0]['partitions'][0]['messages'],
    opts: { baseOffset: bigint; attributes?: number; gzip?: boolean },
  ): Promise<Buffer> {
    const args: ProduceRequestArgs = {
      acks: -1,
      timeout: 1000,
      producerId: '77',
      producerEpoch: 2,
      topicData: [{ topic: 't', partitions: [{ partition: 0, firstSequence: 5, messages }] }],
    };
    const request = opts.gzip
      ? (await kafkajsProduceV3({ ...args, compression: Types.GZIP }).encode()).buffer
      : encodeProduceRequest(args);
    const bytes = Buffer.from(request.subarray(2 + 2 + 4 + 4 + 2 + 1 + 4 + 4 + 4));
    bytes.writeBigInt64BE(opts.baseOffset, 0);
    if (opts.attributes !== undefined) bytes.writeInt16BE(bytes.readInt16BE(21) | opts.attributes, 21);
    return bytes;
  }

  function response(
    topics: Array<{
      name: string;
      partitions: Array<{ index: number; records: Buffer; aborted?: Array<[bigint, bigint]> }>;
    }>,
  ): Buffer {
    const parts: Buffer[] = [];
    const int = (bits: 16 | 32 | 64, v: number | bigint): void => {
      const b = Buffer.alloc(bits / 8);
      if (bits === 16) b.writeInt16BE(Number(v));
      else if (bits === 32) b.writeInt32BE(Number(v));
      else b.writeBigInt64BE(BigInt(v));
      parts.push(b);
    };
    int(32, 0);
    int(16, 0);
    int(32, 12345);
    int(32, topics.length);
    for (const t of topics) {
      int(16, Buffer.byteLength(t.name));
      parts.push(Buffer.from(t.name));
      int(32, t.partitions.length);
      for (const p of t.partitions) {
        int(32, p.index);
        int(16, 0);
        int(64, 5000n);
        int(64, 4999n);
        int(64, 0n);
        int(32, p.aborted ? p.aborted.length : -1);
        for (const [pid, first] of p.aborted ?? []) {
          int(64, pid);
          int(64, first);
        }
        int(32, -1);
        int(32, p.records.length);
        parts.push(p.records);
      }
    }
    return Buffer.concat(parts);
  }

  async function expectSameDecode(raw: Buffer): Promise<unknown> {
    const ours = await decodeFetchV11(raw, legacy);
    expect(ours).toEqual(await kafkajsFetchV11.decode(raw));
    return ours;
  }

  it('decodes batches, headers, nulls and a batch cut short exactly as kafkajs does', async () => {
    const first = await batch(
      [
        { key: 'dev:1', value: '{"a":1}', headers: { 'herald-tenant': 'dev', dup: ['x', 'y', 'z'] } },
        { key: null, value: null, timestamp: String(Date.now() - 86_400_000) },
        { key: 'dév:中', value: Buffer.from([0, 255]), headers: { empty: Buffer.alloc(0) } },
      ],
      { baseOffset: 1000n },
    );
    const second = await batch(
      Array.from({ length: 200 }, (_, i) => ({ key: `k${i}`, value: randomText(100 + i) })),
      { baseOffset: 1003n },
    );
    const cut = (await batch([{ key: 'late', value: 'v'.repeat(300) }], { baseOffset: 1203n })).subarray(
      0,
      120,
    );
    const raw = response([
      {
        name: 'herald.public.events.v1',
        partitions: [
          { index: 3, records: Buffer.concat([first, second, cut]), aborted: [[77n, 1000n]] },
          { index: 4, records: Buffer.alloc(0) },
        ],
      },
      {
        name: 'other',
        partitions: [{ index: 0, records: await batch([{ key: 'a', value: 'b' }], { baseOffset: 0n }) }],
      },
    ]);
    const decoded = (await expectSameDecode(raw)) as {
      responses: Array<{ partitions: Array<{ messages: Array<{ offset: string }> }> }>;
    };
    expect(decoded.responses[0]!.partitions[0]!.messages.map((m) => m.offset).slice(0, 4)).toEqual([
      '1000',
      '1001',
      '1002',
      '1003',
    ]);
    expect(decoded.responses[0]!.partitions[0]!.messages).toHaveLength(203);
  });

  it('matches kafkajs on offsets beyond 2^53, log-append time and control batches', async () => {
    const big = await batch(
      [
        { key: 'a', value: '1' },
        { key: 'b', value: '2' },
      ],
      { baseOffset: 2n ** 60n - 1n },
    );
    const appendTime = await batch([{ key: 'c', value: '3' }], { baseOffset: 10n, attributes: 0x08 });
    const control = await batch([{ key: 'd', value: '4' }], { baseOffset: 11n, attributes: 0x30 });
    await expectSameDecode(
      response([{ name: 't', partitions: [{ index: 0, records: Buffer.concat([big]) }] }]),
    );
    await expectSameDecode(
      response([{ name: 't', partitions: [{ index: 1, records: Buffer.concat([appendTime, control]) }] }]),
    );
  });

  it('leaves compressed batches to kafkajs and reads on after them', async () => {
    const gz = await batch(
      Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: `value ${i}` })),
      { baseOffset: 50n, gzip: true },
    );
    const plain = await batch([{ key: 'p', value: 'q' }], { baseOffset: 0n });
    const decoded = (await expectSameDecode(
      response([
        { name: 't', partitions: [{ index: 0, records: gz }] },
        { name: 'u', partitions: [{ index: 0, records: plain }] },
      ]),
    )) as { responses: Array<{ partitions: Array<{ messages: unknown[] }> }> };
    expect(decoded.responses[0]!.partitions[0]!.messages).toHaveLength(20);
    expect(decoded.responses[1]!.partitions[0]!.messages).toHaveLength(1);
  });
});

describe('installKafkajsFastPaths', () => {
  /* eslint-disable @typescript-eslint/no-require-imports */
  type Protocol = (o: { version: number }) => (args: unknown) => {
    request: { apiKey: number; apiVersion: number; encode: () => Promise<{ buf: Buffer; buffer: Buffer }> };
    response: { decode: (raw: Buffer) => Promise<unknown> };
    requestTimeout?: number;
  };
  const produce = require('kafkajs/src/protocol/requests/produce') as { protocol: Protocol };
  const fetch = require('kafkajs/src/protocol/requests/fetch') as { protocol: Protocol };
  const kafkajsV11 = require('kafkajs/src/protocol/requests/fetch/v11/response') as { decode: unknown };
  /* eslint-enable @typescript-eslint/no-require-imports */

  it('has kafkajs encode produce requests and decode fetch responses with these codecs, once', async () => {
    installKafkajsFastPaths();
    const patched = produce.protocol;
    installKafkajsFastPaths();
    expect(produce.protocol).toBe(patched);

    const args: ProduceRequestArgs = {
      acks: -1,
      timeout: 1000,
      topicData: [
        { topic: 't', partitions: [{ partition: 0, messages: [{ key: 'k', value: 'v', timestamp: '1' }] }] },
      ],
    };
    const built = produce.protocol({ version: 7 })(args);
    expect(built.request).toMatchObject({ apiKey: 0, apiVersion: 7 });
    const encoded = await built.request.encode();
    expect(Buffer.isBuffer(encoded.buf)).toBe(true);
    expect(encoded.buffer.equals(encodeProduceRequest(args))).toBe(true);
    // One buffer written once: kafkajs's encoder would hand out a fresh slice.
    expect(encoded.buffer).toBe(encoded.buf);

    const fetching = fetch.protocol({ version: 11 })({
      maxWaitTime: 100,
      minBytes: 1,
      maxBytes: 1024,
      topics: [],
    });
    expect(fetching.requestTimeout).toBe(200);
    const empty = Buffer.alloc(14);
    empty.writeInt32BE(-1, 10);
    expect(await fetching.response.decode(empty)).toEqual({
      throttleTime: 0,
      clientSideThrottleTime: 0,
      errorCode: 0,
      sessionId: 0,
      responses: [],
    });
    expect(fetching.response.decode).not.toBe(kafkajsV11.decode);
  });
});

describe('groupMessagesPerPartition (linear)', () => {
  // kafkajs's own, as the oracle.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const kafkajs =
    require('kafkajs/src/producer/groupMessagesPerPartition') as typeof groupMessagesPerPartition;
  /* eslint-enable @typescript-eslint/no-require-imports */

  it('groups as kafkajs does: per partition, the messages in the order given', () => {
    const partitionMetadata = Array.from({ length: 6 }, (_, i) => ({ partitionId: i })) as never;
    const partitioner = ({ message }: { message: { key?: unknown } }): number =>
      Number(String(message.key).slice(1)) % 6;
    const messages = Array.from({ length: 500 }, (_, i) => ({
      key: `k${(i * 7919) % 1000}`,
      value: `v${i}`,
    }));
    const args = { topic: 't', partitionMetadata, messages, partitioner };
    const ours = groupMessagesPerPartition(args);
    expect(ours).toEqual(kafkajs(args));
    expect(Object.values(ours).flat()).toHaveLength(500);
    expect(groupMessagesPerPartition({ ...args, partitionMetadata: [] })).toEqual(
      kafkajs({ ...args, partitionMetadata: [] }),
    );
  });
});

describe("kafkajs's request queue, once the fast paths are installed", () => {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const RequestQueue = require('kafkajs/src/network/requestQueue') as new (opts: unknown) => {
    pending: unknown[];
    throttleCheckTimeoutId: NodeJS.Timeout | null;
    push(request: unknown): void;
    fulfillRequest(response: { correlationId: number; payload: Buffer | null; size: number }): void;
    maybeThrottle(ms: number): void;
    destroy(): void;
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
  const quiet = {
    debug: () => undefined,
    warn: () => undefined,
    error: () => undefined,
    info: () => undefined,
  };
  const made: Array<{ destroy(): void }> = [];
  afterEach(() => made.splice(0).forEach((q) => q.destroy()));

  function queue(maxInFlightRequests: number) {
    installKafkajsFastPaths();
    const q = new RequestQueue({
      maxInFlightRequests,
      requestTimeout: 30_000,
      enforceRequestTimeout: false,
      clientId: 'spec',
      broker: 'spec:9092',
      logger: quiet,
    });
    made.push(q);
    const sent: number[] = [];
    const answered: number[] = [];
    const push = (correlationId: number): void =>
      q.push({
        entry: {
          correlationId,
          apiKey: 3,
          apiName: 'Metadata',
          apiVersion: 6,
          resolve: () => answered.push(correlationId),
          reject: () => undefined,
        },
        expectResponse: true,
        sendRequest: () => sent.push(correlationId),
      });
    const answer = (correlationId: number): void =>
      q.fulfillRequest({ correlationId, payload: null, size: 0 });
    return { q, sent, answered, push, answer };
  }

  it('keeps no timer running once nothing is pending', () => {
    const { q, sent, answered, push, answer } = queue(1);
    push(1);
    push(2); // over the in-flight limit: pending, checked again on the next response
    expect(sent).toEqual([1]);
    expect(q.throttleCheckTimeoutId).not.toBeNull();
    clearTimeout(q.throttleCheckTimeoutId!);
    q.throttleCheckTimeoutId = null;
    answer(1);
    expect(sent).toEqual([1, 2]);
    answer(2);
    expect(answered).toEqual([1, 2]);
    // kafkajs 2.2.4 rescheduled the check every millisecond from here on, for ever.
    expect(q.throttleCheckTimeoutId).toBeNull();
  });

  it('still sends what a throttle held back once the throttle ends', async () => {
    const { q, sent, answered, push, answer } = queue(10);
    push(1);
    answer(1);
    q.maybeThrottle(30);
    push(2);
    expect(sent).toEqual([1]);
    expect(q.throttleCheckTimeoutId).not.toBeNull();
    await new Promise((r) => setTimeout(r, 80));
    expect(sent).toEqual([1, 2]);
    answer(2);
    expect(answered).toEqual([1, 2]);
    expect(q.throttleCheckTimeoutId).toBeNull();
  });
});
