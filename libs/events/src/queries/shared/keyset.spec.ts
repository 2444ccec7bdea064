import { CursorCodec, CursorScope } from '@herald/platform';
import { fetchSize, INT64_MAX, INT64_MIN, startBound, toPage } from './keyset';

const codec = CursorCodec.fromMasterKey(Buffer.alloc(32, 3));
const scope: CursorScope = { tenant: 't', route: 'GET /x', query: { order: 'asc' } };
const rows = (...keys: number[]) => keys.map((k) => ({ k }));
const page = (r: Array<{ k: number }>, order: 'asc' | 'desc', limit = 2, start = 0n) =>
  toPage(r, { limit, order, start, codec, scope, keyOf: (x) => BigInt(x.k), itemOf: (x) => x.k });

describe('keyset pages', () => {
  it('starts at the open end of int64, or at the cursor', () => {
    expect(startBound(codec, scope, 'asc')).toBe(INT64_MIN);
    expect(startBound(codec, scope, 'desc')).toBe(INT64_MAX);
    expect(startBound(codec, scope, 'asc', codec.encode(scope, 42n))).toBe(42n);
  });

  it('limit + 1 rows: a full page, has_more, a cursor after its last item', () => {
    const p = page(rows(1, 2, 3), 'asc');
    expect(p.items).toEqual([1, 2]);
    expect(p.has_more).toBe(true);
    expect(codec.decode(scope, p.next_cursor!)).toBe(2n);
  });

  it('the last asc page still has a cursor, after its last item', () => {
    const p = page(rows(5), 'asc');
    expect(p).toMatchObject({ items: [5], has_more: false });
    expect(codec.decode(scope, p.next_cursor!)).toBe(5n);
  });

  it('an empty asc page keeps the position it started from', () => {
    const p = page([], 'asc', 2, 77n);
    expect(p).toMatchObject({ items: [], has_more: false });
    expect(codec.decode(scope, p.next_cursor!)).toBe(77n);
  });

  it('reads at least limit + 1 rows, from a few fixed sizes', () => {
    for (let limit = 1; limit <= 100; limit++) {
      expect(fetchSize(limit)).toBeGreaterThan(limit);
      expect(fetchSize(limit)).toBeLessThanOrEqual(Math.max(11, 2.2 * (limit + 1)));
    }
    expect(new Set(Array.from({ length: 100 }, (_, i) => fetchSize(i + 1))).size).toBe(4);
    expect(fetchSize(50)).toBe(51);
    expect(() => fetchSize(101)).toThrow(RangeError);
  });

  it('rows beyond limit + 1 only tell that more exist', () => {
    const p = page(rows(1, 2, 3, 4, 5), 'asc');
    expect(p.items).toEqual([1, 2]);
    expect(p.has_more).toBe(true);
    expect(codec.decode(scope, p.next_cursor!)).toBe(2n);
  });

  it('the last desc page ends the walk', () => {
    expect(page(rows(3, 2), 'desc')).toEqual({ items: [3, 2], has_more: false, next_cursor: null });
    const more = page(rows(9, 8, 7), 'desc');
    expect(more.has_more).toBe(true);
    expect(codec.decode(scope, more.next_cursor!)).toBe(8n);
  });
});
