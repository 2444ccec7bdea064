/** `GET /api/v1/events/{id}`: one public event of the tenant, by id (unique index on id). */
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { RawJson, readAsTenant } from '@herald/platform';
import { eventItemJson } from '../shared/event.item';
import { EVENT_NOT_FOUND } from '../shared/query-errors';

@Injectable()
export class GetEventQuery {
  constructor(private readonly ds: DataSource) {}

  /** The event as JSON text, the same bytes as its item in a page of the feed. */
  async execute(tenant: string, id: string): Promise<RawJson> {
    const [row] = await readAsTenant<{ item: string }>(
      this.ds,
      tenant,
      `SELECT ${eventItemJson('e')} AS item FROM events e WHERE e.id = $2 AND e.tenant = $1`,
      [tenant, id],
      { prepare: true },
    );
    // Another tenant's event is as absent as one that never existed.
    if (!row) throw EVENT_NOT_FOUND.error(`no event ${id}`);
    return new RawJson(row.item);
  }
}
