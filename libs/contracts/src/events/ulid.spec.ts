import { decodeTime, ulid } from 'ulid';
import { encodeUlid, newUlid } from './ulid';

describe('ULIDs', () => {
  it('encodes 128 bits as the reference implementation does', () => {
    const bytes = Uint8Array.from({ length: 16 }, (_, i) => (i * 37 + 11) & 255);
    let big = 0n;
    for (const b of bytes) big = (big << 8n) | BigInt(b);
    let reference = '';
    for (let i = 0; i < 26; i++, big >>= 5n)
      reference = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'[Number(big & 31n)] + reference;
    expect(encodeUlid(bytes)).toBe(reference);
    expect(encodeUlid(new Uint8Array(16))).toBe('0'.repeat(26));
    expect(encodeUlid(new Uint8Array(16).fill(255))).toBe(`7${'Z'.repeat(25)}`);
  });

  it('carries its time where the reference decoder finds it, and is unique', () => {
    const at = Date.UTC(2026, 10, 25, 12, 0, 0, 123);
    const ids = Array.from({ length: 2000 }, () => newUlid(at));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids.slice(0, 10)) {
      expect(id).toMatch(/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
      expect(decodeTime(id)).toBe(at);
    }
    expect(decodeTime(ulid(at))).toBe(at);
    expect(newUlid() > newUlid(at)).toBe(true); // later time sorts after
  });
});
