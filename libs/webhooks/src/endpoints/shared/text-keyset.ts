/** Keyset pages over a text key: the platform's, shared with the other contexts' lists. */
export { keysetClause, startKey, toTextPage } from '@herald/platform';
export type { ListPage, SortOrder, StartKey } from '@herald/platform';
