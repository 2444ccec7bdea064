/**
 * Keyset pagination over one strictly increasing bigint key (events: seq; users and
 * posts: id). A page is read as `key > after` (ascending) or `key < before`
 * (descending), at least limit + 1 rows, so `has_more` needs no COUNT. A first page
 * starts at the open end of int64, which keeps one SQL text per query shape.
 */
import { cutPage } from '@herald/platform';
import type { CursorCodec, CursorScope, ListPage } from '@herald/platform';

export type { SortOrder } from '@herald/platform';
import type { SortOrder } from '@herald/platform';

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

/**
 * How many rows a page reads: at least limit + 1 (the extra row answers `has_more`),
 * rounded up to a few fixed sizes. The size is written into the SQL text, not passed as
 * a parameter, so a cached generic plan knows it reads a handful of rows — not the
 * tenth of the table it assumes for an unknown LIMIT, which can turn an index walk into
 * a full scan — while a connection holds at most a few plans per query shape.
 */
const FETCH_SIZES = [11, 26, 51, 101] as const;

export function fetchSize(limit: number): number {
  const size = FETCH_SIZES.find((n) => n > limit);
  if (size === undefined) throw new RangeError(`limit ${limit} is above the largest page`);
  return size;
}

export type { ListPage } from '@herald/platform';

/** The exclusive bound the page starts from: the cursor's position, or the open end. */
export function startBound(
  codec: CursorCodec,
  scope: CursorScope,
  order: SortOrder,
  cursor?: string,
): bigint {
  if (cursor !== undefined) return codec.decode(scope, cursor);
  return order === 'asc' ? INT64_MIN : INT64_MAX;
}

/** Cuts `rows` to a page (see `cutPage`), cursors carrying the bigint position. */
export function toPage<R, T>(
  rows: R[],
  opts: {
    limit: number;
    order: SortOrder;
    start: bigint;
    codec: CursorCodec;
    scope: CursorScope;
    keyOf: (row: R) => bigint;
    itemOf: (row: R) => T;
  },
): ListPage<T> {
  return cutPage(rows, { ...opts, encode: (key) => opts.codec.encode(opts.scope, key) });
}
