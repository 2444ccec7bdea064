/** `GET /api/v1/events/{id}`: one public event of the tenant, by id (unique index on id). */
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { readAsTenant } from '@herald/platform';
import { EventRow, eventColumns, eventItem } from '../shared/event.item';
import type { PublicEventResponseDto } from '../shared/public-event.response.dto';
import { EVENT_NOT_FOUND } from '../shared/query-errors';

@Injectable()
export class GetEventQuery {
  constructor(private readonly ds: DataSource) {}

  async execute(tenant: string, id: string): Promise<PublicEventResponseDto> {
    const [row] = await readAsTenant<EventRow>(
      this.ds,
      tenant,
      `SELECT ${eventColumns('e')} FROM events e WHERE e.id = $2 AND e.tenant = $1`,
      [tenant, id],
      { prepare: true },
    );
    // Another tenant's event is as absent as one that never existed.
    if (!row) throw EVENT_NOT_FOUND.error(`no event ${id}`);
    return eventItem(row);
  }
}
