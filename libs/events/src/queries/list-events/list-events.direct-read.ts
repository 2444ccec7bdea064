/**
 * `GET /api/v1/events` answered before Nest routes it (DirectRead, libs/platform): the
 * query is accepted here only when `ListEventsRequestDto` would accept it unchanged —
 * known parameters, each once, valid values, a cursor this tenant and query issued —
 * and then read and enveloped exactly as the controller does. Anything else is left to
 * the route, whose validation answers the error.
 */
import { Injectable } from '@nestjs/common';
import { DirectRead, envelopeText, InvalidCursorError, isRfc3339Time, MAX_LIMIT } from '@herald/platform';
import { typesMatching } from './event-type-filter';
import { EventsRead, ListEventsParams, ListEventsQuery } from './list-events.query';
import { epochMicros } from './list-events.request.dto';

const NAMES = new Set(['limit', 'cursor', 'order', 'type', 'since', 'until']);
const MAX_CURSOR_LENGTH = 4096;

/** The query as the DTO would take it, or undefined when the DTO would refuse it (or differ). */
export function acceptedEventsParams(query: unknown): ListEventsParams | undefined {
  if (typeof query !== 'object' || query === null) return undefined;
  const out: ListEventsParams = {};
  for (const [name, value] of Object.entries(query as Record<string, unknown>)) {
    // Repeated parameters arrive as arrays, which the DTO refuses.
    if (!NAMES.has(name) || typeof value !== 'string') return undefined;
    switch (name) {
      case 'limit': {
        if (!/^[0-9]{1,6}$/.test(value)) return undefined;
        const n = Number(value);
        if (n < 1 || n > MAX_LIMIT) return undefined;
        out.limit = n;
        break;
      }
      case 'cursor':
        if (value.length > MAX_CURSOR_LENGTH) return undefined;
        out.cursor = value;
        break;
      case 'order':
        if (value !== 'asc' && value !== 'desc') return undefined;
        out.order = value;
        break;
      case 'type':
        if (typesMatching(value).length === 0) return undefined;
        out.type = value;
        break;
      case 'since':
      case 'until':
        if (!isRfc3339Time(value)) return undefined;
        out[name] = value;
        break;
    }
  }
  if (
    out.since !== undefined &&
    out.until !== undefined &&
    !(epochMicros(out.until)! > epochMicros(out.since)!)
  ) {
    return undefined;
  }
  return out;
}

@Injectable()
export class ListEventsDirectRead implements DirectRead<EventsRead> {
  constructor(private readonly query: ListEventsQuery) {}

  accept(tenant: string, query: unknown): EventsRead | undefined {
    const params = acceptedEventsParams(query);
    if (!params) return undefined;
    try {
      return this.query.plan(tenant, params);
    } catch (err) {
      if (err instanceof InvalidCursorError) return undefined;
      throw err;
    }
  }

  async answer(read: EventsRead, requestId: string): Promise<string> {
    const page = await this.query.read(read);
    return envelopeText(page.items, requestId, { next_cursor: page.next_cursor, has_more: page.has_more });
  }
}
