/**
 * ULIDs: 48 bits of milliseconds and 80 random bits in Crockford base32, 26 characters
 * that sort by time. Random bits come from the CSPRNG in pooled draws (one system call
 * per 256 ids, not one per character), because ids are minted on hot paths: one per
 * webhook delivery.
 */
import { randomFillSync } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const POOL = Buffer.alloc(10 * 256);
let used = POOL.length;

/** Encodes 16 bytes (128 bits) as 26 Crockford characters, the first carrying 3 bits. */
export function encodeUlid(bytes: Uint8Array): string {
  let out = '';
  let acc = 0;
  let bits = 2; // 130 bits of output for 128 of input: two leading zero bits
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += CROCKFORD[(acc >>> bits) & 31];
    }
    acc &= (1 << bits) - 1;
  }
  return out;
}

/** A new ULID for the given time (now by default). */
export function newUlid(time: number = Date.now()): string {
  if (used === POOL.length) {
    randomFillSync(POOL);
    used = 0;
  }
  const bytes = new Uint8Array(16);
  let t = time;
  for (let i = 5; i >= 0; i--) {
    bytes[i] = t % 256;
    t = Math.floor(t / 256);
  }
  bytes.set(POOL.subarray(used, used + 10), 6);
  used += 10;
  return encodeUlid(bytes);
}
