/**
 * Keyset pages over a text key (endpoint, delivery and API key ids: a prefix + a ULID, so
 * id order is creation order). The platform's CursorCodec carries a bigint position, which
 * a ULID does not fit in; here the key travels beside the codec's tag, and the tag is
 * computed over the scope *with the key in it*, so a cursor still works only for the
 * tenant, route and query that issued it, and changing its key breaks it (400
 * `invalid_cursor`). The key is an id the page already showed, so nothing is revealed.
 *
 * Format: `<codec cursor for scope + key, position 0>.<base64url(key)>`.
 */
import { CursorCodec, CursorScope, InvalidCursorError } from './cursor';
import { cutPage, ListPage } from './list-page';
import type { SortOrder } from './list-request.dto';

/** Where a walk starts: after `key` (ascending) or before it (descending); `''` is the open end. */
export type StartKey = string;
export const OPEN_END: StartKey = '';

const KEY_FIELD = '@after';
const KEY_TEXT = /^[A-Za-z0-9_-]{0,200}$/;

const withKey = (scope: CursorScope, key: string): CursorScope => ({
  ...scope,
  query: { ...scope.query, [KEY_FIELD]: key },
});

export function encodeTextCursor(codec: CursorCodec, scope: CursorScope, key: string): string {
  return `${codec.encode(withKey(scope, key), 0n)}.${Buffer.from(key, 'utf8').toString('base64url')}`;
}

/** The key of a cursor issued for exactly this scope; throws InvalidCursorError otherwise. */
export function decodeTextCursor(codec: CursorCodec, scope: CursorScope, cursor: string): string {
  const parts = cursor.split('.');
  const [tag, keyText] = parts;
  if (parts.length !== 2 || tag === undefined || keyText === undefined || !KEY_TEXT.test(keyText)) {
    throw forged();
  }
  const key = Buffer.from(keyText, 'base64url').toString('utf8');
  // One spelling per cursor, as for the codec's own part.
  if (Buffer.from(key, 'utf8').toString('base64url') !== keyText) throw forged();
  if (codec.decode(withKey(scope, key), tag) !== 0n) throw forged();
  return key;
}

export function startKey(codec: CursorCodec, scope: CursorScope, cursor?: string): StartKey {
  return cursor === undefined ? OPEN_END : decodeTextCursor(codec, scope, cursor);
}

/** Cuts `rows` to a page (see `cutPage`), cursors carrying the text key. */
export function toTextPage<R, T>(
  rows: R[],
  opts: {
    limit: number;
    order: SortOrder;
    start: StartKey;
    codec: CursorCodec;
    scope: CursorScope;
    keyOf: (row: R) => string;
    itemOf: (row: R) => T;
  },
): ListPage<T> {
  return cutPage(rows, { ...opts, encode: (key) => encodeTextCursor(opts.codec, opts.scope, key) });
}

/**
 * The keyset condition on `column` and its direction. `params` are the statement's
 * parameters so far; the start key is appended to them when the walk has a bound.
 */
export function keysetClause(
  column: string,
  order: SortOrder,
  start: StartKey,
  params: unknown[],
): { where: string; dir: 'ASC' | 'DESC' } {
  if (order === 'asc') return { where: `${column} > $${params.push(start)}`, dir: 'ASC' };
  if (start === OPEN_END) return { where: 'true', dir: 'DESC' };
  return { where: `${column} < $${params.push(start)}`, dir: 'DESC' };
}

function forged(): InvalidCursorError {
  return new InvalidCursorError('cursor is not valid for this query; start again without a cursor');
}
