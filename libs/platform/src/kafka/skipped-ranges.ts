/**
 * What a consumer that skips ahead (ConsumerSpec.skipAhead) passed over, and what that
 * leaves it free to commit. A partition found far behind its end is not read through in
 * order: the consumer moves to the end, and the records it passed over form a range that
 * a reader of its own hands to the same handler later. Until a range is handled and
 * durable, nothing of its partition at or after the first record not yet durable in it
 * may be committed; so a crash, a stop or a rebalance reads it again, and everything the
 * consumer handled past it with it.
 */

export interface SkippedRange {
  readonly topic: string;
  readonly partition: number;
  /** The first offset passed over. */
  readonly from: bigint;
  /** The first offset not passed over: the partition's end when it was skipped. */
  readonly to: bigint;
  /** Handled up to here (not necessarily durable yet): where its reader goes on from. */
  read: bigint;
  /** Handled and durable up to here. */
  done: bigint;
}

/** One partition's share of a read of ranges passed over. */
export interface ToRead {
  partition: number;
  start: bigint;
  end: bigint;
  ranges: SkippedRange[];
}

export class SkippedRanges {
  /** Open ranges per partition, in the order they were skipped. */
  private readonly open = new Map<string, SkippedRange[]>();
  /**
   * Per partition, the offset past everything the consumer got to: its calls once durable,
   * and the ends of the ranges it passed over. Below it, only open ranges are not durable
   * (the consumer's own calls are marked durable in order, and those before a range was
   * passed over before any part of it).
   */
  private readonly position = new Map<string, bigint>();

  /** Records that the records [from, to) of a partition were passed over. */
  add(topic: string, partition: number, from: bigint, to: bigint): SkippedRange {
    const range: SkippedRange = { topic, partition, from, to, read: from, done: from };
    const key = keyOf(topic, partition);
    const list = this.open.get(key) ?? [];
    list.push(range);
    this.open.set(key, list);
    this.advance(key, to);
    return range;
  }

  /** Whether the range is still open here (it is dropped with its partition at a rebalance). */
  has(range: SkippedRange): boolean {
    return this.open.get(keyOf(range.topic, range.partition))?.includes(range) ?? false;
  }

  /** Ranges are open. */
  get size(): number {
    let n = 0;
    for (const list of this.open.values()) n += list.length;
    return n;
  }

  /**
   * Per topic, what is left to read in each partition: from the first open range's next
   * record to the last one's end, with the ranges in it (records between them were handled
   * in order and are not handed over again).
   */
  toRead(): Map<string, ToRead[]> {
    const out = new Map<string, ToRead[]>();
    for (const list of this.open.values()) {
      const ranges = list.filter((r) => r.read < r.to);
      if (ranges.length === 0) continue;
      const { topic, partition } = ranges[0]!;
      let start = ranges[0]!.read;
      let end = ranges[0]!.to;
      for (const r of ranges) {
        if (r.read < start) start = r.read;
        if (r.to > end) end = r.to;
      }
      out.set(topic, [...(out.get(topic) ?? []), { partition, start, end, ranges }]);
    }
    return out;
  }

  /**
   * Drops the ranges (and positions) of partitions no longer assigned: whoever owns them
   * now reads from their committed offsets, which no open range was ever passed by.
   */
  keepOnly(assigned: ReadonlyMap<string, readonly number[]>): void {
    const owned = (key: string): boolean => {
      const [topic, partition] = splitKey(key);
      return assigned.get(topic)?.includes(partition) ?? false;
    };
    for (const key of [...this.open.keys()]) if (!owned(key)) this.open.delete(key);
    for (const key of [...this.position.keys()]) if (!owned(key)) this.position.delete(key);
  }

  /**
   * A call of the consumer itself is durable, up to `next` on this partition: what may be
   * committed for it now (`next`, or less while a range passed over before it is open).
   */
  passed(topic: string, partition: number, next: bigint): bigint {
    const key = keyOf(topic, partition);
    this.advance(key, next);
    return min(next, this.floor(key));
  }

  /**
   * Part of a range is durable, up to `next`: what may be committed for its partition now,
   * or undefined when that does not change. A range durable to its end is closed. Only
   * for parts handled after every call of the consumer itself that came before the range.
   */
  handled(range: SkippedRange, next: bigint): bigint | undefined {
    const key = keyOf(range.topic, range.partition);
    const list = this.open.get(key);
    if (!list?.includes(range) || next <= range.done) return undefined;
    const before = this.floor(key);
    range.done = next < range.to ? next : range.to;
    if (range.done >= range.to) {
      list.splice(list.indexOf(range), 1);
      if (list.length === 0) this.open.delete(key);
    }
    const after = this.floor(key);
    if (after === before) return undefined;
    return min(this.position.get(key) ?? range.to, after);
  }

  private advance(key: string, next: bigint): void {
    const at = this.position.get(key);
    if (at === undefined || next > at) this.position.set(key, next);
  }

  /** The first offset of the partition not durable in any open range (undefined: none open). */
  private floor(key: string): bigint | undefined {
    let out: bigint | undefined;
    for (const r of this.open.get(key) ?? []) if (out === undefined || r.done < out) out = r.done;
    return out;
  }
}

const keyOf = (topic: string, partition: number): string => `${topic}|${partition}`;

function splitKey(key: string): [string, number] {
  const at = key.lastIndexOf('|');
  return [key.slice(0, at), Number(key.slice(at + 1))];
}

function min(a: bigint, b: bigint | undefined): bigint {
  return b === undefined || a < b ? a : b;
}
