import { canonicalScope, CursorCodec, CursorScope, InvalidCursorError } from './cursor';

const codec = CursorCodec.fromMasterKey(Buffer.alloc(32, 7));
const scope: CursorScope = { tenant: 'support', route: 'events', query: { order: 'asc', type: 'post.*' } };

function invalid(fn: () => unknown): InvalidCursorError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidCursorError);
    return err as InvalidCursorError;
  }
  throw new Error('expected an invalid cursor');
}

describe('CursorCodec', () => {
  it.each([0n, 1n, 42n, 2n ** 53n + 1n, 2n ** 63n - 1n, -(2n ** 63n)])('round-trips position %s', (p) => {
    expect(codec.decode(scope, codec.encode(scope, p))).toBe(p);
  });

  it('is short, url-safe and deterministic', () => {
    const c = codec.encode(scope, 123n);
    expect(c).toMatch(/^[A-Za-z0-9_-]{34}$/);
    expect(codec.encode(scope, 123n)).toBe(c);
  });

  it('does not show the position in the clear', () => {
    const a = Buffer.from(codec.encode(scope, 1n), 'base64url');
    const b = Buffer.from(codec.encode(scope, 2n), 'base64url');
    expect(a.subarray(17).readBigInt64BE()).not.toBe(1n);
    // neighbouring positions share nothing recognisable either
    expect(a.subarray(17).equals(b.subarray(17))).toBe(false);
  });

  it('refuses every single flipped bit', () => {
    const raw = Buffer.from(codec.encode(scope, 987654321n), 'base64url');
    for (let i = 0; i < raw.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const t = Buffer.from(raw);
        t[i] = t[i]! ^ (1 << bit);
        invalid(() => codec.decode(scope, t.toString('base64url')));
      }
    }
  });

  it.each<[string, CursorScope]>([
    ['another tenant', { ...scope, tenant: 'dev' }],
    ['another route', { ...scope, route: 'users' }],
    ['another filter', { ...scope, query: { order: 'asc', type: 'post.created' } }],
    ['no filter', { ...scope, query: { order: 'asc' } }],
    ['another order', { ...scope, query: { order: 'desc', type: 'post.*' } }],
  ])('refuses a cursor used for %s', (_, other) => {
    invalid(() => codec.decode(other, codec.encode(scope, 5n)));
  });

  it('refuses a cursor signed under another master key', () => {
    const other = CursorCodec.fromMasterKey(Buffer.alloc(32, 8));
    invalid(() => codec.decode(scope, other.encode(scope, 5n)));
  });

  it.each([
    [''],
    ['not a cursor!'],
    ['AQ'],
    ['x'.repeat(34)],
    ['x'.repeat(600)],
    [codec.encode(scope, 5n) + 'A'],
    [codec.encode(scope, 5n).slice(0, -1)],
  ])('refuses malformed input #%#', (c) => {
    const err = invalid(() => codec.decode(scope, c));
    expect(err.code).toBe('invalid_cursor');
    expect(err.status).toBe(400);
  });

  it('refuses a second spelling of the same bytes', () => {
    const c = codec.encode(scope, 5n);
    // 25 bytes leave 4 unused bits in the last character; setting one decodes to the same bytes.
    const last = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const alt = c.slice(0, -1) + last[last.indexOf(c.at(-1)!) | 1];
    expect(alt).not.toBe(c);
    expect(Buffer.from(alt, 'base64url').equals(Buffer.from(c, 'base64url'))).toBe(true);
    invalid(() => codec.decode(scope, alt));
  });

  it('calls a cursor of an unknown version stale', () => {
    const raw = Buffer.from(codec.encode(scope, 5n), 'base64url');
    raw[0] = 2;
    const err = invalid(() => codec.decode(scope, raw.toString('base64url')));
    expect(err.message).toMatch(/no longer reads/);
  });

  it('needs a 32-byte master key', () => {
    expect(() => CursorCodec.fromMasterKey(undefined)).toThrow(/HERALD_MASTER_KEY/);
    expect(() => CursorCodec.fromMasterKey(Buffer.alloc(16))).toThrow(/HERALD_MASTER_KEY/);
  });

  it('canonical scope ignores key order and absent values, and cannot be confused by separators', () => {
    expect(canonicalScope({ tenant: 't', route: 'r', query: { b: '2', a: '1', c: undefined } })).toBe(
      canonicalScope({ tenant: 't', route: 'r', query: { a: '1', b: '2' } }),
    );
    expect(canonicalScope({ tenant: 'a","b', route: 'r', query: {} })).not.toBe(
      canonicalScope({ tenant: 'a', route: 'b","r', query: {} }),
    );
  });
});
