/** `GET /api/v1/webhooks`: the tenant's endpoints in id order (creation order), keyset-paginated. */
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CursorCodec, CursorScope, readAsTenant } from '@herald/platform';
import { endpointColumns, EndpointItemRow, endpointItem } from '../shared/endpoint.item';
import type { WebhookEndpointResponseDto } from '../shared/endpoint.response.dto';
import { DEFAULT_LIMIT } from '@herald/platform';
import { keysetClause, ListPage, startKey, toTextPage } from '../shared/text-keyset';
import type { ListWebhooksRequestDto } from './list-endpoints.request.dto';

export const ENDPOINTS_ROUTE = 'GET /api/v1/webhooks';

@Injectable()
export class ListEndpointsQuery {
  constructor(
    private readonly ds: DataSource,
    private readonly codec: CursorCodec,
  ) {}

  async execute(tenant: string, req: ListWebhooksRequestDto): Promise<ListPage<WebhookEndpointResponseDto>> {
    const limit = req.limit ?? DEFAULT_LIMIT;
    const order = req.order ?? 'asc';
    const scope: CursorScope = { tenant, route: ENDPOINTS_ROUTE, query: { order } };
    const start = startKey(this.codec, scope, req.cursor);
    const params: unknown[] = [tenant];
    const keyset = keysetClause('e.id', order, start, params);
    // The page size is written into the SQL (a validated integer): one plan per shape, on (tenant, id).
    const rows = await readAsTenant<EndpointItemRow>(
      this.ds,
      tenant,
      `SELECT ${endpointColumns('e')} FROM webhook_endpoints e
        WHERE e.tenant = $1 AND ${keyset.where}
        ORDER BY e.id ${keyset.dir} LIMIT ${limit + 1}`,
      params,
    );
    return toTextPage(rows, {
      limit,
      order,
      start,
      codec: this.codec,
      scope,
      keyOf: (r) => r.id,
      itemOf: endpointItem,
    });
  }
}
