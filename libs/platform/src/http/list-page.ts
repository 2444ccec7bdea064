/** The page of a keyset list, whatever its key: the items and what goes into the envelope's `meta`. */
import type { SortOrder } from './list-request.dto';

export interface ListPage<T> {
  items: T[];
  next_cursor: string | null;
  has_more: boolean;
}

/**
 * Cuts `rows` (in page order, at most limit + 1) to a page. In ascending order the last
 * page still carries a cursor — after its last row, or where it started when empty — so a
 * poller keeps it and later asks for what came since. A descending walk ends.
 */
export function cutPage<R, T, K>(
  rows: R[],
  opts: {
    limit: number;
    order: SortOrder;
    start: K;
    keyOf: (row: R) => K;
    itemOf: (row: R) => T;
    encode: (key: K) => string;
  },
): ListPage<T> {
  const has_more = rows.length > opts.limit;
  const kept = has_more ? rows.slice(0, opts.limit) : rows;
  const last = kept[kept.length - 1];
  let next: K | undefined;
  if (has_more || opts.order === 'asc') next = last === undefined ? opts.start : opts.keyOf(last);
  return {
    items: kept.map(opts.itemOf),
    next_cursor: next === undefined ? null : opts.encode(next),
    has_more,
  };
}
