/**
 * Where a reader of `GET /api/v1/events` stands: per partition of the public topic, the
 * offset of the last event it was served there (oldest first) or the offset it has walked
 * down to (newest first). A partition it has no entry for is untouched: everything in it
 * is still ahead. Every value is a position in the public log, so a cursor means the same
 * before and after a rebuild of the read model (docs/architecture.md, "Events feed
 * positions").
 *
 * In the cursor (format v2 of CursorCodec) the entries are unsigned LEB128 varints, a
 * partition then its offset, in ascending partition order. Only one spelling decodes: the
 * payload must encode back to itself.
 */
import { InvalidCursorError } from '@herald/platform';

export type FeedPosition = ReadonlyMap<number, bigint>;

const MAX_PARTITION = 0xffff;
const MAX_OFFSET = 2n ** 63n - 1n;

export function encodeFeedPosition(position: FeedPosition): Buffer {
  const bytes: number[] = [];
  for (const partition of [...position.keys()].sort((a, b) => a - b)) {
    const offset = position.get(partition)!;
    if (!Number.isInteger(partition) || partition < 0 || partition > MAX_PARTITION || offset < 0n)
      throw new RangeError(`bad feed position ${partition}:${offset}`);
    varint(bytes, BigInt(partition));
    varint(bytes, offset);
  }
  return Buffer.from(bytes);
}

/** The position a cursor's payload holds; InvalidCursorError when it is not one this server wrote. */
export function decodeFeedPosition(payload: Buffer): FeedPosition {
  const out = new Map<number, bigint>();
  let i = 0;
  const read = (): bigint => {
    let value = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      const b = payload[i++];
      if (b === undefined) throw malformed();
      value |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return value;
    }
    throw malformed();
  };
  let previous = -1;
  while (i < payload.length) {
    const partition = read();
    const offset = read();
    if (partition > BigInt(MAX_PARTITION) || offset > MAX_OFFSET || Number(partition) <= previous)
      throw malformed();
    previous = Number(partition);
    out.set(previous, offset);
  }
  if (!encodeFeedPosition(out).equals(payload)) throw malformed();
  return out;
}

function varint(out: number[], value: bigint): void {
  let v = value;
  do {
    const low = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? low | 0x80 : low);
  } while (v > 0n);
}

function malformed(): InvalidCursorError {
  return new InvalidCursorError('cursor is not valid for this query; start again without a cursor');
}
