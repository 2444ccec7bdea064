/**
 * Deterministic public event ids: `evt_` + a ULID that is a pure function of
 * (tenant, internal event id), so re-sending, re-translating or replaying a fact never
 * mints a second public event. When the internal id carries a time (a ULID or a
 * UUIDv7), the ULID keeps it, so ids sort by when the producer minted them; the 80
 * random bits come from SHA-256 of the tenant and the internal id.
 */
import { hash } from 'node:crypto';
import { encodeUlid } from './ulid';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ULID_RE = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/i;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-([0-9a-f])[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function decodeUlidTime(ulid: string): number {
  let t = 0;
  for (let i = 0; i < 10; i++) t = t * 32 + CROCKFORD.indexOf(ulid[i]!.toUpperCase());
  return t;
}

/** Milliseconds embedded in a ULID or UUIDv7, if any. */
export function embeddedTime(internalId: string): number | undefined {
  if (ULID_RE.test(internalId)) return decodeUlidTime(internalId);
  const m = UUID_RE.exec(internalId);
  if (m && m[1] === '7') return parseInt(internalId.replace(/-/g, '').slice(0, 12), 16);
  return undefined;
}

export function publicEventId(tenant: string, internalId: string): string {
  // Called for every event on the append and translate paths: a one-shot hash, no BigInt.
  const digest = hash(
    'sha256',
    `herald.public-event-id.v1\0${tenant}\0${internalId.toLowerCase()}`,
    'buffer',
  );
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
