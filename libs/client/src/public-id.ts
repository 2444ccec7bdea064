/**
 * The public event id Herald derives from (tenant, internal event id): `evt_` + a ULID
 * whose time is the one the internal id carries (ULID or UUIDv7) and whose other bits come
 * from SHA-256. Lets the fake answer the ids Herald would.
 */
import { createHash } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ULID_RE = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/i;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-([0-9a-f])[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function embeddedTime(internalId: string): number | undefined {
  if (ULID_RE.test(internalId)) {
    let t = 0;
    for (let i = 0; i < 10; i++) t = t * 32 + CROCKFORD.indexOf(internalId[i]!.toUpperCase());
    return t;
  }
  const m = UUID_RE.exec(internalId);
  if (m && m[1] === '7') return parseInt(internalId.replace(/-/g, '').slice(0, 12), 16);
  return undefined;
}

function encodeUlid(bytes: Uint8Array): string {
  let out = '';
  let acc = 0;
  let bits = 2;
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

export function publicEventId(tenant: string, internalId: string): string {
  const digest = createHash('sha256')
    .update(`herald.public-event-id.v1\0${tenant}\0${internalId.toLowerCase()}`)
    .digest();
  const bytes = new Uint8Array(16);
  const time = embeddedTime(internalId);
  if (time !== undefined) {
    let t = time;
    for (let i = 5; i >= 0; i--) {
      bytes[i] = t % 256;
      t = Math.floor(t / 256);
    }
  } else {
    bytes.set(digest.subarray(16, 22), 0);
  }
  bytes.set(digest.subarray(0, 10), 6);
  return `evt_${encodeUlid(bytes)}`;
}
