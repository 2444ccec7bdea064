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
import { CursorCodec, CursorScope, DEFAULT_LIMIT, RawJson, readAsTenant } from '@herald/platform';
import { fetchSize } from '../shared/keyset';
import { decodeFeedPosition, encodeFeedPosition, FeedPosition } from './feed-position';
import type { ListEventsRequestDto } from './list-events.request.dto';
import { EventFilter, listEventsSql } from './list-events.sql';

export const EVENTS_ROUTE = 'GET /api/v1/events';

/** The query of a request, validated (as `ListEventsRequestDto` accepts it). */
export type ListEventsParams = Pick<
  ListEventsRequestDto,
  'limit' | 'cursor' | 'order' | 'type' | 'since' | 'until'
>;

/** A page of the feed: its items as a JSON array's text, ready to send. */
export interface EventsPage {
  items: RawJson;
  next_cursor: string | null;
  has_more: boolean;
}

/** What a request will read, worked out without I/O. */
export interface EventsRead {
  readonly tenant: string;
  readonly limit: number;
  readonly filter: EventFilter;
  readonly scope: CursorScope;
  readonly start: FeedPosition | undefined;
  readonly sql: string;
  readonly params: unknown[];
}

/** The one row a page's statement answers (list-events.sql.ts). */
interface PageRow {
  fetched: number;
  items: string;
  /** `partition:last offset served`, comma-separated; null on an empty page. */
  positions: string | null;
  /** On a first page newest first: `partition:newest offset`, comma-separated. */
  heads?: string | null;
}

@Injectable()
export class ListEventsQuery {
  constructor(
    private readonly ds: DataSource,
    private readonly codec: CursorCodec,
  ) {}

  execute(tenant: string, req: ListEventsParams): Promise<EventsPage> {
    return this.read(this.plan(tenant, req));
  }

  /** Throws `InvalidCursorError` for a cursor this tenant and query did not issue. */
  plan(tenant: string, req: ListEventsParams): EventsRead {
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
    const { sql, params } = listEventsSql(tenant, filter, start, fetchSize(limit), limit);
    return { tenant, limit, filter, scope, start, sql, params };
  }

  async read(r: EventsRead): Promise<EventsPage> {
    // Fixed SQL per query shape, planned the same for every tenant: safe to prepare.
    const [page] = await readAsTenant<PageRow>(this.ds, r.tenant, r.sql, r.params, { prepare: true });
    if (!page) throw new Error('the events page statement answered no row');
    const has_more = page.fetched > r.limit;
    const next = new Map(r.start);
    // A first page newest first bounds every partition by its newest event then (a snapshot).
    for (const [p, top] of entries(page.heads)) next.set(p, top + 1n);
    for (const [p, last] of entries(page.positions)) next.set(p, last);
    // Oldest first, the last page keeps a cursor, so a poller asks later for what came since.
    const more = has_more || r.filter.order === 'asc';
    return {
      items: new RawJson(`[${page.items}]`),
      next_cursor: more ? this.codec.encodeBytes(r.scope, encodeFeedPosition(next)) : null,
      has_more,
    };
  }
}

/** `partition:offset` pairs, comma-separated, as Postgres wrote them. */
function* entries(text: string | null | undefined): Generator<[number, bigint]> {
  if (!text) return;
  for (const pair of text.split(',')) {
    const at = pair.indexOf(':');
    yield [Number(pair.slice(0, at)), BigInt(pair.slice(at + 1))];
  }
}
