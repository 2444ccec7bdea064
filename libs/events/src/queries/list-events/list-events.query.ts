/**
 * `GET /api/v1/events`: the tenant's public events in append order (seq), filtered by
 * type and created_at, keyset-paginated. seq values commit in order (the events
 * projection draws them under a lock), so a cursor on seq never skips a late commit.
 */
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { toPublicTimestamp } from '@herald/contracts';
import { CursorCodec, CursorScope, readAsTenant } from '@herald/platform';
import { EventRow, eventItem } from '../shared/event.item';
import { fetchSize, ListPage, startBound, toPage } from '../shared/keyset';
import { DEFAULT_LIMIT } from '@herald/platform';
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
    const start = startBound(this.codec, scope, filter.order, req.cursor);
    const { sql, params } = listEventsSql(tenant, filter, start, fetchSize(limit));
    // Fixed SQL per query shape, planned the same for every tenant: safe to prepare.
    const rows = await readAsTenant<EventRow>(this.ds, tenant, sql, params, { prepare: true });
    return toPage(rows, {
      limit,
      order: filter.order,
      start,
      codec: this.codec,
      scope,
      keyOf: (r) => BigInt(r.seq),
      itemOf: eventItem,
    });
  }
}
