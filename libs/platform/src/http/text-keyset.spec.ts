import { CursorCodec, CursorScope, InvalidCursorError } from './cursor';
import { decodeTextCursor, encodeTextCursor, keysetClause, OPEN_END, toTextPage } from './text-keyset';

const codec = CursorCodec.fromMasterKey(Buffer.alloc(32, 5));
const scope: CursorScope = { tenant: 't', route: 'GET /x', query: { order: 'asc' } };
const page = (keys: string[], order: 'asc' | 'desc', limit = 2, start = OPEN_END) =>
  toTextPage(
    keys.map((k) => ({ k })),
    { limit, order, start, codec, scope, keyOf: (r) => r.k, itemOf: (r) => r.k },
  );

describe('text keyset pages', () => {
  it('a cursor gives back its key for the scope that issued it', () => {
    const key = 'ep_01JG5K8HW2X4A8Q3M1T6KQ7BWP';
    expect(decodeTextCursor(codec, scope, encodeTextCursor(codec, scope, key))).toBe(key);
    expect(decodeTextCursor(codec, scope, encodeTextCursor(codec, scope, OPEN_END))).toBe(OPEN_END);
  });

  it('refuses a cursor of another scope, with another key, or altered', () => {
    const cursor = encodeTextCursor(codec, scope, 'ep_b');
    const [tag] = cursor.split('.');
    const swapped = `${tag}.${Buffer.from('ep_a').toString('base64url')}`;
    for (const [s, c] of [
      [{ ...scope, tenant: 'u' }, cursor],
      [{ ...scope, query: { order: 'desc' } }, cursor],
      [scope, swapped],
      [scope, `${cursor}.x`],
      [scope, cursor.replace('.', '')],
      [scope, `${cursor}=`],
      [scope, 'garbage'],
    ] as Array<[CursorScope, string]>) {
      expect(() => decodeTextCursor(codec, s, c)).toThrow(InvalidCursorError);
    }
  });

  it('limit + 1 rows: a full page, has_more, a cursor after its last item', () => {
    const p = page(['a', 'b', 'c'], 'asc');
    expect(p.items).toEqual(['a', 'b']);
    expect(p.has_more).toBe(true);
    expect(decodeTextCursor(codec, scope, p.next_cursor!)).toBe('b');
  });

  it('the last asc page still has a cursor; an empty one keeps where it started', () => {
    expect(decodeTextCursor(codec, scope, page(['x'], 'asc').next_cursor!)).toBe('x');
    const empty = page([], 'asc', 2, 'k');
    expect(empty).toMatchObject({ items: [], has_more: false });
    expect(decodeTextCursor(codec, scope, empty.next_cursor!)).toBe('k');
  });

  it('the last desc page ends the walk', () => {
    expect(page(['b', 'a'], 'desc')).toEqual({ items: ['b', 'a'], has_more: false, next_cursor: null });
  });

  it('bounds the walk from its start, and not at all from the open end of a descending one', () => {
    const params: unknown[] = ['t'];
    expect(keysetClause('e.id', 'asc', OPEN_END, params)).toEqual({ where: 'e.id > $2', dir: 'ASC' });
    expect(params).toEqual(['t', '']);
    const desc: unknown[] = ['t'];
    expect(keysetClause('e.id', 'desc', OPEN_END, desc)).toEqual({ where: 'true', dir: 'DESC' });
    expect(desc).toEqual(['t']);
    expect(keysetClause('e.id', 'desc', 'k', desc)).toEqual({ where: 'e.id < $2', dir: 'DESC' });
    expect(desc).toEqual(['t', 'k']);
  });
});
