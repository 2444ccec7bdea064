/** An `events` row as the public event of DESIGN.md §5: exactly {id, type, created_at, data}. */
import { publicTime } from '../../projector/subject-rows';
import type { PublicEventResponseDto } from './public-event.response.dto';

export interface EventRow {
  /** Where the event lies in the public log: the feed's cursor positions. */
  log_partition: number;
  log_offset: string;
  /** On the first page newest first: `partition:newest offset`, comma-separated. */
  heads?: string | null;
  id: string;
  type: string;
  created_at: string;
  data: Record<string, unknown>;
}

/** The select list, formatted in SQL: created_at keeps its six stored fractional digits. */
export const eventColumns = (e: string): string =>
  `${e}.log_partition, ${e}.log_offset::text AS log_offset, ${e}.id, ${e}.type, ${publicTime(`${e}.created_at`)} AS created_at, ${e}.data`;

/**
 * The public event as JSON text, built by Postgres: the members in DESIGN.md §5's order,
 * strings quoted by to_json, `data` verbatim as stored (the published JSON). What
 * JSON.stringify would make of the row, without the gateway parsing `data` to re-serialize it.
 */
export const eventItemJson = (e: string): string =>
  `'{"id":' || to_json(${e}.id)::text || ',"type":' || to_json(${e}.type)::text || ',"created_at":"' || ${publicTime(`${e}.created_at`)} || '","data":' || ${e}.data::text || '}'`;

export function eventItem(r: EventRow): PublicEventResponseDto {
  return { id: r.id, type: r.type, created_at: r.created_at, data: r.data };
}
