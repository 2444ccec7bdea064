/**
 * An `events` row as the public event of DESIGN.md §5 — exactly {id, type, created_at,
 * data}, in that order — as JSON text built by Postgres: the row's stored `item_prefix`
 * (`{"id":…,"type":…,"created_at":…,"data":`, generated from the row; migration
 * 1765008000000), `data` verbatim as published, and `}`. What JSON.stringify would make of
 * the event, without the gateway parsing `data` to re-serialize it; created_at keeps its
 * six stored fractional digits.
 */
export const eventItemJson = (e: string): string => `${e}.item_prefix || ${e}.data::text || '}'`;
