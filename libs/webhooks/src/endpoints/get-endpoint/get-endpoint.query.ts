/** `GET /api/v1/webhooks/{id}`: one endpoint of the tenant, by id. */
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { readAsTenant } from '@herald/platform';
import { ENDPOINT_NOT_FOUND } from '../../webhook-errors';
import { endpointColumns, EndpointItemRow, endpointItem } from '../shared/endpoint.item';
import type { WebhookEndpointResponseDto } from '../shared/endpoint.response.dto';

@Injectable()
export class GetEndpointQuery {
  constructor(private readonly ds: DataSource) {}

  async execute(tenant: string, id: string): Promise<WebhookEndpointResponseDto> {
    const [row] = await readAsTenant<EndpointItemRow>(
      this.ds,
      tenant,
      `SELECT ${endpointColumns('e')} FROM webhook_endpoints e WHERE e.tenant = $1 AND e.id = $2`,
      [tenant, id],
      { prepare: true },
    );
    // Another tenant's endpoint is as absent as one that never existed.
    if (!row) throw ENDPOINT_NOT_FOUND.error(`no webhook endpoint ${id}`);
    return endpointItem(row);
  }
}
