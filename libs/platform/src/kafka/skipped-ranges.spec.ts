import { SkippedRanges } from './skipped-ranges';

const T = 'herald.public.events.v1';

describe('SkippedRanges', () => {
  it('commits a partition as far as its own calls got while no range is open', () => {
    const s = new SkippedRanges();
    expect(s.passed(T, 0, 10n)).toBe(10n);
    expect(s.passed(T, 0, 25n)).toBe(25n);
    expect(s.passed(T, 1, 3n)).toBe(3n);
  });

  it('holds the commit at the first record of a range passed over until it is durable, then jumps past it', () => {
    const s = new SkippedRanges();
    expect(s.passed(T, 0, 100n)).toBe(100n);
    const range = s.add(T, 0, 100n, 600n);
    // The consumer goes on from the end of the range: none of that may be committed yet.
    expect(s.passed(T, 0, 650n)).toBe(100n);
    expect(s.passed(T, 0, 700n)).toBe(100n);
    // Parts of the range move the commit with them.
    expect(s.handled(range, 350n)).toBe(350n);
    expect(s.handled(range, 600n)).toBe(700n);
    expect(s.has(range)).toBe(false);
    expect(s.passed(T, 0, 720n)).toBe(720n);
  });

  it('commits nothing past a call still pending before the range: its mark comes first and stays its own', () => {
    const s = new SkippedRanges();
    const range = s.add(T, 0, 100n, 600n);
    // A call of the consumer over 80..99, durable only now (it was gathered before the skip).
    expect(s.passed(T, 0, 100n)).toBe(100n);
    expect(s.handled(range, 600n)).toBe(600n);
  });

  it('keeps other partitions apart, and the earliest open range of a partition holds it', () => {
    const s = new SkippedRanges();
    const a = s.add(T, 0, 10n, 20n);
    const b = s.add(T, 0, 30n, 40n);
    expect(s.passed(T, 1, 55n)).toBe(55n);
    expect(s.passed(T, 0, 45n)).toBe(10n);
    // The later range done first: the earlier one still holds the partition.
    expect(s.handled(b, 40n)).toBeUndefined();
    expect(s.handled(a, 15n)).toBe(15n);
    expect(s.handled(a, 20n)).toBe(45n);
    expect(s.size).toBe(0);
  });

  it('reads each partition from its first open range to its last, with the ranges in it', () => {
    const s = new SkippedRanges();
    const a = s.add(T, 0, 10n, 20n);
    const b = s.add(T, 0, 30n, 40n);
    const c = s.add(T, 2, 5n, 9n);
    a.read = 14n;
    const reads = s.toRead().get(T)!;
    expect(reads).toEqual([
      { partition: 0, start: 14n, end: 40n, ranges: [a, b] },
      { partition: 2, start: 5n, end: 9n, ranges: [c] },
    ]);
    a.read = 20n;
    b.read = 40n;
    c.read = 9n;
    expect(s.toRead().size).toBe(0);
  });

  it('drops the ranges of partitions another member owns now', () => {
    const s = new SkippedRanges();
    const kept = s.add(T, 0, 10n, 20n);
    const gone = s.add(T, 1, 10n, 20n);
    s.keepOnly(new Map([[T, [0]]]));
    expect(s.has(kept)).toBe(true);
    expect(s.has(gone)).toBe(false);
    expect(s.handled(gone, 20n)).toBeUndefined();
  });

  it('ignores a part of a range that was already recorded, or of a range no longer open', () => {
    const s = new SkippedRanges();
    const range = s.add(T, 0, 0n, 10n);
    expect(s.handled(range, 5n)).toBe(5n);
    expect(s.handled(range, 5n)).toBeUndefined();
    expect(s.handled(range, 3n)).toBeUndefined();
    expect(s.handled(range, 10n)).toBe(10n);
    expect(s.handled(range, 12n)).toBeUndefined();
  });
});
