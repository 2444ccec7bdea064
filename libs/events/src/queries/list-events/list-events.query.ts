/**
 * `GET /api/v1/events`: the tenant's public events in feed order (log time, partition,
 * offset: a function of the public log alone), filtered by type and created_at, paged by
 * a cursor that holds an offset per partition. Each partition is projected in offset
 * order, so an event that becomes visible after a cursor was issued lies beyond the
 * cursor's offset in its partition and is served next: never skipped, never repeated,
 * however far apart the partitions are projected, and through a rebuild.
 */
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { toPublicTimestamp } from '@herald/contracts';
import { CursorCodec, CursorScope, DEFAULT_LIMIT, readAsTenant } from '@herald/platform';
import { EventRow, eventItem } from '../shared/event.item';
import { fetchSize, ListPage } from '../shared/keyset';
import { decodeFeedPosition, encodeFeedPosition, FeedPosition } from './feed-position';
import type { PublicEventResponseDto } from '../shared/public-event.response.dto';
import type { ListEventsRequestDto } from './list-events.request.dto';
import { EventFilter, listEventsSql } from './list-events.sql';

export const EVENTS_ROUTE = 'GET /api/v1/events';

@Injectable()
export class ListEventsQuery {
  constructor(
    private readonly ds: DataSource,
    private readonly codec: CursorCodec,
  ) {}

  async execute(tenant: string, req: ListEventsRequestDto): Promise<ListPage<PublicEventResponseDto>> {
    const limit = req.limit ?? DEFAULT_LIMIT;
    const filter: EventFilter = {
      order: req.order ?? 'asc',
      type: req.type,
      // Normalized, so `…T12:00:00Z` and `…T14:00:00+02:00` are one query (and share cursors).
      since: req.since === undefined ? undefined : toPublicTimestamp(req.since),
      until: req.until === undefined ? undefined : toPublicTimestamp(req.until),
    };
    const scope: CursorScope = { tenant, route: EVENTS_ROUTE, query: { ...filter } };
    const start: FeedPosition | undefined =
      req.cursor === undefined ? undefined : decodeFeedPosition(this.codec.decodeBytes(scope, req.cursor));
    const { sql, params } = listEventsSql(tenant, filter, start, fetchSize(limit));
    // Fixed SQL per query shape, planned the same for every tenant: safe to prepare.
    const rows = await readAsTenant<EventRow>(this.ds, tenant, sql, params, { prepare: true });
    const has_more = rows.length > limit;
    const kept = has_more ? rows.slice(0, limit) : rows;
    // Rows come in feed order, which is offset order within a partition: the last one seen
    // of a partition is the furthest (oldest first) or the earliest (newest first).
    const next = new Map(start);
    // A first page newest first bounds every partition by its newest event then (a snapshot).
    for (const head of kept[0]?.heads?.split(',') ?? []) {
      const [p, top] = head.split(':');
      next.set(Number(p), BigInt(top!) + 1n);
    }
    for (const r of kept) next.set(r.log_partition, BigInt(r.log_offset));
    // Oldest first, the last page keeps a cursor, so a poller asks later for what came since.
    const more = has_more || filter.order === 'asc';
    return {
      items: kept.map(eventItem),
      next_cursor: more ? this.codec.encodeBytes(scope, encodeFeedPosition(next)) : null,
      has_more,
    };
  }
}
