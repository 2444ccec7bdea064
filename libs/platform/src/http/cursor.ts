/**
 * Opaque, tamper-evident keyset cursors for the public list routes (DESIGN.md §6).
 *
 * A cursor carries one position (a bigint: an event's seq, a row's id) and is valid only
 * for the scope that issued it: the tenant, the route and the normalized query (filters,
 * order). The scope is not stored in the cursor, only authenticated by it, so a cursor
 * stays short whatever the filters are.
 *
 * Format v1, 25 bytes in base64url (34 characters):
 *   version (1 byte, 0x01) ‖ tag (16 bytes) ‖ position XOR pad (8 bytes)
 *   tag = HMAC-SHA256(macKey, version ‖ scope ‖ position), truncated to 128 bits
 *   pad = HMAC-SHA256(encKey, tag), first 8 bytes
 * The position is hidden because event seqs are global: read in the clear they would
 * tell one tenant how many events every other tenant produces. Both keys come from the
 * master key through HKDF, so rotating HERALD_MASTER_KEY invalidates every cursor.
 *
 * Format v2 carries a byte string of any length up to 2816 bytes instead (the events
 * feed's positions in the public log, one per partition; see libs/events list-events):
 *   version (1 byte, 0x02) ‖ tag (16 bytes) ‖ payload XOR pad (n bytes)
 *   tag = HMAC-SHA256(macKey, version ‖ scope ‖ payload), truncated to 128 bits
 *   pad = HMAC-SHA256(encKey, tag ‖ block index), as many 32-byte blocks as needed
 * A route reads one version only: a cursor of the other is refused as stale.
 *
 * Decoding refuses (400 `invalid_cursor`) anything that is not a canonical cursor of the
 * version the route reads whose tag matches this scope: a flipped byte, another tenant's or
 * another query's cursor, or a cursor of another version ("stale": a format this server no
 * longer reads there).
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { INVALID_CURSOR } from './error-codes';
import { DomainError } from './errors';

/** Where a cursor may be used. `query` holds the normalized filters and order; undefined values are absent. */
export interface CursorScope {
  tenant: string;
  route: string;
  query: Readonly<Record<string, string | undefined>>;
}

export class InvalidCursorError extends DomainError {
  constructor(message: string) {
    // Shaped like a validation failure, so clients handle both the same way.
    super(INVALID_CURSOR.code, message, INVALID_CURSOR.status, [{ field: 'cursor', reason: message }]);
  }
}

const VERSION = 1;
const BYTES_VERSION = 2;
// 256 partition entries of at most 2 + 9 bytes.
const MAX_PAYLOAD_BYTES = 2816;
const TAG_BYTES = 16;
const POSITION_BYTES = 8;
const CURSOR_BYTES = 1 + TAG_BYTES + POSITION_BYTES;
const BASE64URL = /^[A-Za-z0-9_-]{2,4096}$/;

/** The shape of every cursor this server issues (base64url of CURSOR_BYTES), for the API document. */
export const CURSOR_PATTERN = `^[A-Za-z0-9_-]{${Math.ceil((CURSOR_BYTES * 4) / 3)}}$`;
/** The shape of a v2 cursor (`encodeBytes`): base64url of 17 to 17 + 2816 bytes. */
export const BYTES_CURSOR_PATTERN = `^[A-Za-z0-9_-]{${Math.ceil((17 * 4) / 3)},${Math.ceil(((17 + MAX_PAYLOAD_BYTES) * 4) / 3)}}$`;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

export class CursorCodec {
  private constructor(
    private readonly macKey: Buffer,
    private readonly encKey: Buffer,
  ) {}

  static fromMasterKey(masterKey: Buffer | undefined): CursorCodec {
    if (!masterKey || masterKey.length < 32) {
      throw new Error('HERALD_MASTER_KEY (32 bytes) is required to sign pagination cursors');
    }
    const keys = Buffer.from(hkdfSync('sha256', masterKey, 'herald', 'herald/cursor/v1', 64));
    return new CursorCodec(keys.subarray(0, 32), keys.subarray(32));
  }

  encode(scope: CursorScope, position: bigint): string {
    if (position < INT64_MIN || position > INT64_MAX)
      throw new RangeError('cursor position out of int64 range');
    const pos = Buffer.alloc(POSITION_BYTES);
    pos.writeBigInt64BE(position);
    const tag = this.tag(scope, pos);
    const hidden = xor(pos, this.pad(tag));
    return Buffer.concat([Buffer.of(VERSION), tag, hidden]).toString('base64url');
  }

  /** The position of a cursor issued for exactly this scope; throws InvalidCursorError otherwise. */
  decode(scope: CursorScope, cursor: string): bigint {
    const raw = BASE64URL.test(cursor) ? Buffer.from(cursor, 'base64url') : undefined;
    if (!raw || raw.length === 0) throw forgedCursor();
    if (raw[0] !== VERSION) throw staleCursor();
    // Re-encoding must give the same text: no second spelling of one cursor is accepted.
    if (raw.length !== CURSOR_BYTES || raw.toString('base64url') !== cursor) throw forgedCursor();
    const tag = raw.subarray(1, 1 + TAG_BYTES);
    const pos = xor(raw.subarray(1 + TAG_BYTES), this.pad(tag));
    if (!timingSafeEqual(tag, this.tag(scope, pos))) throw forgedCursor();
    return pos.readBigInt64BE();
  }

  /** A v2 cursor carrying `payload` (at most 2816 bytes), hidden and bound to `scope`. */
  encodeBytes(scope: CursorScope, payload: Buffer): string {
    if (payload.length > MAX_PAYLOAD_BYTES) throw new RangeError('cursor payload too long');
    const tag = this.tag(scope, payload, BYTES_VERSION);
    const hidden = xor(payload, this.longPad(tag, payload.length));
    return Buffer.concat([Buffer.of(BYTES_VERSION), tag, hidden]).toString('base64url');
  }

  /** The payload of a v2 cursor issued for exactly this scope; throws InvalidCursorError otherwise. */
  decodeBytes(scope: CursorScope, cursor: string): Buffer {
    const raw = BASE64URL.test(cursor) ? Buffer.from(cursor, 'base64url') : undefined;
    if (!raw || raw.length === 0) throw forgedCursor();
    if (raw[0] !== BYTES_VERSION) throw staleCursor();
    const length = raw.length - 1 - TAG_BYTES;
    if (length < 0 || length > MAX_PAYLOAD_BYTES || raw.toString('base64url') !== cursor)
      throw forgedCursor();
    const tag = raw.subarray(1, 1 + TAG_BYTES);
    const payload = xor(raw.subarray(1 + TAG_BYTES), this.longPad(tag, length));
    if (!timingSafeEqual(tag, this.tag(scope, payload, BYTES_VERSION))) throw forgedCursor();
    return payload;
  }

  private tag(scope: CursorScope, pos: Buffer, version = VERSION): Buffer {
    return createHmac('sha256', this.macKey)
      .update(Buffer.of(version))
      .update(canonicalScope(scope), 'utf8')
      .update(pos)
      .digest()
      .subarray(0, TAG_BYTES);
  }

  private longPad(tag: Buffer, length: number): Buffer {
    const blocks: Buffer[] = [];
    for (let i = 0; blocks.length * 32 < length; i++) {
      blocks.push(createHmac('sha256', this.encKey).update(tag).update(Buffer.of(i)).digest());
    }
    return Buffer.concat(blocks).subarray(0, length);
  }

  private pad(tag: Buffer): Buffer {
    return createHmac('sha256', this.encKey).update(tag).digest().subarray(0, POSITION_BYTES);
  }
}

/** One unambiguous text per scope: JSON of the tenant, the route and the sorted defined query pairs. */
export function canonicalScope(scope: CursorScope): string {
  const pairs = Object.entries(scope.query)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([scope.tenant, scope.route, pairs]);
}

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

function forgedCursor(): InvalidCursorError {
  return new InvalidCursorError('cursor is not valid for this query; start again without a cursor');
}

function staleCursor(): InvalidCursorError {
  return new InvalidCursorError(
    'cursor was issued in a format this server no longer reads; start again without a cursor',
  );
}
