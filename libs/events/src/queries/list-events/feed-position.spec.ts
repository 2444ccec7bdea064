import { CursorCodec, CursorScope, InvalidCursorError } from '@herald/platform';
import { decodeFeedPosition, encodeFeedPosition } from './feed-position';

const codec = CursorCodec.fromMasterKey(Buffer.alloc(32, 9));
const scope: CursorScope = { tenant: 'support', route: 'GET /api/v1/events', query: { order: 'asc' } };

describe('feed positions', () => {
  it.each([
    new Map<number, bigint>(),
    new Map([[0, 0n]]),
    new Map([
      [5, 127n],
      [0, 128n],
      [3, 2n ** 63n - 1n],
    ]),
    new Map(Array.from({ length: 24 }, (_, p) => [p, BigInt(p) * 1_000_003n] as const)),
    new Map(Array.from({ length: 256 }, (_, p) => [p * 3, 2n ** 63n - 1n - BigInt(p)] as const)),
  ])('round-trip through a v2 cursor (case %#)', (position) => {
    const cursor = codec.encodeBytes(scope, encodeFeedPosition(position));
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(cursor.length).toBeLessThanOrEqual(4096);
    expect(decodeFeedPosition(codec.decodeBytes(scope, cursor))).toEqual(position);
  });

  it('one spelling per position: partitions ascending, minimal varints', () => {
    expect(encodeFeedPosition(new Map([[1, 300n]])).toString('hex')).toBe('01ac02');
    for (const hex of ['01ac0200', '01ac8200', '01ac82', '02010101', '01010101', '01', 'ff']) {
      expect(() => decodeFeedPosition(Buffer.from(hex, 'hex'))).toThrow(InvalidCursorError);
    }
    expect(decodeFeedPosition(Buffer.from('01ac02', 'hex'))).toEqual(new Map([[1, 300n]]));
  });

  it('hides the offsets, and refuses a v1 cursor, another scope or a flipped bit', () => {
    const payload = encodeFeedPosition(new Map([[2, 41n]]));
    const cursor = codec.encodeBytes(scope, payload);
    const raw = Buffer.from(cursor, 'base64url');
    expect(raw[0]).toBe(2);
    expect(raw.subarray(17).equals(payload)).toBe(false);
    expect(() => codec.decodeBytes(scope, codec.encode(scope, 41n))).toThrow(/no longer reads/);
    expect(() => codec.decode(scope, cursor)).toThrow(/no longer reads/);
    expect(() => codec.decodeBytes({ ...scope, tenant: 'other' }, cursor)).toThrow(InvalidCursorError);
    for (let i = 1; i < raw.length; i++) {
      const t = Buffer.from(raw);
      t[i] = t[i]! ^ 1;
      expect(() => codec.decodeBytes(scope, t.toString('base64url'))).toThrow(InvalidCursorError);
    }
  });
});
