import type { Kafka, KafkaMessage } from 'kafkajs';
import pino from 'pino';
import { BACKLOG_MIN, MIN_SAMPLE, PassedOverScout, pickAhead, startScouting } from './passed-over-scout';
import type { SkippedRange } from './skipped-ranges';

const range = (from: number, to: number): SkippedRange => ({
  topic: 't',
  partition: 0,
  from: BigInt(from),
  to: BigInt(to),
  read: BigInt(from),
  done: BigInt(from),
});

/** Records at offsets `from`, `from + 1`, ..., of the groups given in order. */
const records = (from: number, groups: string[]): KafkaMessage[] =>
  groups.map((g, i): KafkaMessage => ({
    offset: String(from + i),
    key: null,
    value: Buffer.from('{}'),
    headers: { g },
    timestamp: '0',
    attributes: 0,
  }));

const groupOf = (m: KafkaMessage): string | undefined => m.headers?.g?.toString();
const offsets = (ms: KafkaMessage[]): number[] => ms.map((m) => Number(m.offset));
const burst = (n: number, g = 'a'): string[] => Array.from({ length: n }, () => g);

describe('PassedOverScout: which records passed over go ahead of their range', () => {
  it('hands over the records of groups rare where the range begins, and none of the backlog', () => {
    const r = range(0, 1_000);
    const s = startScouting(r, records(0, [...burst(95), 'b', ...burst(4)]), groupOf)!;
    // b had 1 of 100 where the range begins: not the backlog; a had 99.
    const groups = [...burst(300), 'b', ...burst(300), 'c', ...burst(398)];
    expect(offsets(pickAhead(s, records(0, groups), groupOf))).toEqual([300, 601]);
  });

  it('scouts nothing from a sample too small to tell what the range is made of', () => {
    expect(startScouting(range(0, 1_000), records(0, burst(MIN_SAMPLE - 1)), groupOf)).toBeUndefined();
    expect(startScouting(range(0, 1_000), records(0, burst(MIN_SAMPLE)), groupOf)).toBeDefined();
  });

  it('counts every group with a tenth of the sample as the backlog: two bursts at once go in order', () => {
    const sample = records(
      0,
      Array.from({ length: 100 }, (_, i) => (i % 3 === 0 ? 'b' : 'a')),
    );
    const s = startScouting(range(0, 1_000), sample, groupOf)!;
    expect(
      pickAhead(
        s,
        records(
          0,
          sample.map((m) => groupOf(m)!),
        ),
        groupOf,
      ),
    ).toEqual([]);
  });

  it('stops handing over a group once it proves as common as a backlog in the range itself', () => {
    const s = startScouting(range(0, 10_000), records(0, burst(100)), groupOf)!;
    // A second burst begins after the sample: only its first BACKLOG_MIN - 1 go ahead.
    const groups = [...burst(100), ...Array.from({ length: 400 }, (_, i) => (i % 2 === 0 ? 'a' : 'x'))];
    const ahead = pickAhead(s, records(0, groups), groupOf);
    expect(ahead).toHaveLength(BACKLOG_MIN - 1);
    expect(ahead.every((m) => groupOf(m) === 'x')).toBe(true);
  });

  it('skips what its range does not hold, what was scouted before, and what its reader already handed over', () => {
    const r = range(100, 200);
    const s = startScouting(r, records(100, burst(50)), groupOf)!;
    // Before the range and past its end: not its records.
    expect(pickAhead(s, records(90, ['b', 'b', ...burst(10)]), groupOf)).toEqual([]);
    expect(offsets(pickAhead(s, records(195, ['a', 'b', 'a', 'a', 'a', 'b', 'b']), groupOf))).toEqual([196]);
    // The same records again: scouted already.
    expect(pickAhead(s, records(195, ['a', 'b']), groupOf)).toEqual([]);

    const t = range(0, 100);
    const u = startScouting(t, records(0, burst(50)), groupOf)!;
    t.read = 60n;
    expect(offsets(pickAhead(u, records(50, [...burst(5), 'b', ...burst(4), 'b']), groupOf))).toEqual([60]);
  });

  it('leaves records without a group to the range reader', () => {
    const s = startScouting(range(0, 100), records(0, burst(50)), groupOf)!;
    const noGroup = { ...records(10, ['x'])[0]!, headers: {} } as KafkaMessage;
    expect(pickAhead(s, [noGroup], groupOf)).toEqual([]);
  });

  it('hands over what the fetch where a range begins holds at once, and reads the log only for the rest', async () => {
    const handed: number[][] = [];
    const reads: string[] = [];
    const kafka = {
      consumer: () => {
        reads.push('consumer');
        throw new Error('no broker here');
      },
      admin: () => {
        reads.push('admin');
        throw new Error('no broker here');
      },
    } as unknown as Kafka;
    const scout = new PassedOverScout({
      kafka,
      groupPrefix: 'g',
      groupOf,
      fetch: { maxBytesPerPartition: 1024, maxBytes: 1024 },
      isOpen: () => true,
      handOver: async (_range, messages) => {
        handed.push(offsets(messages));
      },
      logger: pino({ enabled: false }),
    });
    // The fetch covers the range [0, 100) and more: nothing is left to read.
    scout.add(range(0, 100), records(0, [...burst(40), 'b', ...burst(59), 'c', ...burst(20)]));
    expect(handed).toEqual([[40]]);
    expect(reads).toEqual([]);
    expect(scout.handedOver).toBe(1);
    // It covers [0, 50) of [0, 500): the rest is read (here, a read that fails and is let go).
    scout.add(range(0, 500), records(0, [...burst(30), 'b', ...burst(19)]));
    expect(handed).toEqual([[40], [30]]);
    await scout.stop();
    expect(reads.length).toBeGreaterThan(0);
  });
});
