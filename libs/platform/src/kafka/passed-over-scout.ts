/**
 * Finds, in the ranges a consumer passed over (ConsumerSpec.skipAhead), the records that are
 * not part of the backlog it passed: those of groups (the dispatcher's are tenants) other
 * than the ones the backlog is made of. A record appended while a burst lands is passed over
 * with it unless it is among the partition's last few; the reader of ranges passed over gets
 * to it only once the backlog before it is handled, which, paced, takes as long as the drain.
 * So the scout goes through each range once, at once (what the consumer fetched where it
 * begins, often all of it, then the rest read from the log), and hands such records over
 * ahead of their range; they come again, in order, with it (the handler is idempotent, so the second time
 * creates nothing), and only that second time counts for the offsets.
 *
 * The backlog's groups are those with at least BACKLOG_SHARE of the records fetched where the
 * range begins (the batch the consumer dropped when it skipped), and any other group found
 * as common as that (and at least BACKLOG_MIN records) in the range itself; a second burst
 * in the range is thus not handed over ahead, beyond its first few records.
 */
import type { Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import type { SkippedRange } from './skipped-ranges';
import { readOffsetRanges } from './topic-range-reader';

/** A group with at least this share of the records seen is part of the backlog. */
export const BACKLOG_SHARE = 0.1;
/** ... once it has at least this many: a group is never judged on a handful of records. */
export const BACKLOG_MIN = 20;
/** A range whose first fetch held fewer records than this tells nothing of its make-up: not scouted. */
export const MIN_SAMPLE = 20;

export interface ScoutOptions {
  kafka: Kafka;
  /** Group ids of its reads are `<prefix>.<ulid>`. */
  groupPrefix: string;
  /** The group of a raw record; undefined: not known (left to the range's reader). */
  groupOf(message: KafkaMessage): string | undefined;
  fetch: { maxBytesPerPartition: number; maxBytes: number };
  /** Whether the range is still this consumer's to handle (not dropped at a rebalance). */
  isOpen(range: SkippedRange): boolean;
  /** Hands records of a range over ahead of it, in offset order; awaited before the next. */
  handOver(range: SkippedRange, messages: KafkaMessage[]): Promise<void>;
  logger: Logger;
}

export interface Scouted {
  range: SkippedRange;
  /** The groups the backlog is made of. */
  backlog: Set<string>;
  counts: Map<string, number>;
  seen: number;
  /** Scouted up to here. */
  next: bigint;
}

export class PassedOverScout {
  private pending: Scouted[] = [];
  private reading: Promise<void> | undefined;
  private readonly abort = new AbortController();
  private stopped = false;
  /** Records handed over ahead of their range so far. */
  handedOver = 0;

  constructor(private readonly opts: ScoutOptions) {}

  /** The consumer passed over `range`; `sample` is what it had fetched where the range begins. */
  add(range: SkippedRange, sample: readonly KafkaMessage[]): void {
    if (this.stopped) return;
    const scouted = startScouting(range, sample, (m) => this.opts.groupOf(m));
    if (!scouted) return;
    // What was fetched where the range begins is in hand: while a burst lands, the whole range.
    const ahead = pickAhead(scouted, sample, (m) => this.opts.groupOf(m));
    if (ahead.length > 0) {
      this.handedOver += ahead.length;
      void this.opts.handOver(range, ahead);
    }
    if (scouted.next >= range.to) return;
    this.pending.push(scouted);
    this.read();
  }

  /** Reads nothing more; resolves once the read in progress has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.pending = [];
    this.abort.abort();
    await this.reading;
  }

  private read(): void {
    if (this.reading || this.stopped) return;
    this.reading = (async () => {
      while (!this.stopped && this.pending.length > 0) {
        const batch = this.pending.filter((s) => this.opts.isOpen(s.range));
        this.pending = [];
        for (const [topic, byPartition] of groupByPartition(batch)) {
          const reads = [...byPartition].map(([partition, list]) => ({
            partition,
            start: list.reduce((m, s) => (s.next < m ? s.next : m), list[0]!.next),
            end: list.reduce((m, s) => (s.range.to > m ? s.range.to : m), list[0]!.range.to),
          }));
          try {
            await readOffsetRanges(this.opts.kafka, topic, reads, {
              groupPrefix: this.opts.groupPrefix,
              signal: this.abort.signal,
              fetch: this.opts.fetch,
              onMessages: (partition, messages) => this.scout(byPartition.get(partition)!, messages),
            });
          } catch (err) {
            // Nothing is lost: the range's reader hands every record over in order anyway.
            this.opts.logger.warn({ err, topic }, 'reading ahead in records passed over failed');
          }
        }
      }
    })().finally(() => {
      this.reading = undefined;
      if (!this.stopped && this.pending.length > 0) this.read();
    });
  }

  private async scout(list: Scouted[], messages: KafkaMessage[]): Promise<void> {
    for (const s of list) {
      if (this.stopped || !this.opts.isOpen(s.range)) continue;
      const ahead = pickAhead(s, messages, (m) => this.opts.groupOf(m));
      if (ahead.length === 0) continue;
      this.handedOver += ahead.length;
      await this.opts.handOver(s.range, ahead);
    }
  }
}

/** How a range is scouted, judged from what was fetched where it begins (undefined: it is not). */
export function startScouting(
  range: SkippedRange,
  sample: readonly KafkaMessage[],
  groupOf: (m: KafkaMessage) => string | undefined,
): Scouted | undefined {
  if (sample.length < MIN_SAMPLE) return undefined;
  const counts = new Map<string, number>();
  for (const m of sample) {
    const g = groupOf(m);
    if (g !== undefined) counts.set(g, (counts.get(g) ?? 0) + 1);
  }
  const backlog = new Set<string>();
  for (const [g, n] of counts) if (n >= sample.length * BACKLOG_SHARE) backlog.add(g);
  return { range, backlog, counts: new Map(), seen: 0, next: range.from };
}

/**
 * The records of `messages` in the range's unscouted part that go ahead of it: of groups not
 * in its backlog, nor found as common as one in the range so far, nor already handed over
 * in order by its reader.
 */
export function pickAhead(
  s: Scouted,
  messages: readonly KafkaMessage[],
  groupOf: (m: KafkaMessage) => string | undefined,
): KafkaMessage[] {
  const ahead: KafkaMessage[] = [];
  for (const m of messages) {
    const offset = BigInt(m.offset);
    if (offset < s.next || offset >= s.range.to) continue;
    s.next = offset + 1n;
    const g = groupOf(m);
    if (g === undefined) continue;
    s.seen++;
    const n = (s.counts.get(g) ?? 0) + 1;
    s.counts.set(g, n);
    if (s.backlog.has(g)) continue;
    if (n >= BACKLOG_MIN && n >= s.seen * BACKLOG_SHARE) {
      s.backlog.add(g);
      continue;
    }
    if (offset < s.range.read) continue;
    ahead.push(m);
  }
  return ahead;
}

function groupByPartition(list: Scouted[]): Map<string, Map<number, Scouted[]>> {
  const out = new Map<string, Map<number, Scouted[]>>();
  for (const s of list) {
    const byPartition = out.get(s.range.topic) ?? new Map<number, Scouted[]>();
    byPartition.set(s.range.partition, [...(byPartition.get(s.range.partition) ?? []), s]);
    out.set(s.range.topic, byPartition);
  }
  return out;
}
