/**
 * `GET /api/v1/webhooks/{id}/deliveries`: the deliveries of one endpoint with their
 * attempts, in id order (`dlv_` + a ULID minted when the delivery is created, so creation
 * order), keyset-paginated on (tenant, endpoint_id, id). One statement per page: the
 * endpoint's existence, the page and every attempt of it.
 */
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CursorCodec, CursorScope, readAsTenant } from '@herald/platform';
import { DEFAULT_LIMIT } from '@herald/platform';
import { keysetClause, ListPage, startKey, toTextPage } from '../../endpoints/shared/text-keyset';
import { ENDPOINT_NOT_FOUND } from '../../webhook-errors';
import { deliveryColumns, DeliveryItemRow, deliveryItem } from '../shared/delivery.item';
import type { WebhookDeliveryResponseDto } from '../shared/delivery.response.dto';
import type { ListDeliveriesRequestDto } from './list-deliveries.request.dto';

export const DELIVERIES_ROUTE = 'GET /api/v1/webhooks/{id}/deliveries';

/** A page row: the endpoint always, the delivery columns null when the page is empty. */
type PageRow = { [K in keyof DeliveryItemRow]: DeliveryItemRow[K] | null };

@Injectable()
export class ListDeliveriesQuery {
  constructor(
    private readonly ds: DataSource,
    private readonly codec: CursorCodec,
  ) {}

  async execute(
    tenant: string,
    endpointId: string,
    req: ListDeliveriesRequestDto,
  ): Promise<ListPage<WebhookDeliveryResponseDto>> {
    const limit = req.limit ?? DEFAULT_LIMIT;
    const order = req.order ?? 'asc';
    const scope: CursorScope = {
      tenant,
      route: DELIVERIES_ROUTE,
      query: { endpoint: endpointId, order, status: req.status?.join(',') },
    };
    const start = startKey(this.codec, scope, req.cursor);
    const params: unknown[] = [tenant, endpointId];
    const keyset = keysetClause('d.id', order, start, params);
    const status = req.status === undefined ? '' : `AND d.status = ANY($${params.push(req.status)}::text[])`;
    const rows = await readAsTenant<PageRow>(
      this.ds,
      tenant,
      `SELECT p.* FROM webhook_endpoints e
         LEFT JOIN LATERAL (
           SELECT ${deliveryColumns('d')} FROM webhook_deliveries d
            WHERE d.tenant = $1 AND d.endpoint_id = e.id AND ${keyset.where} ${status}
            ORDER BY d.id ${keyset.dir} LIMIT ${limit + 1}) p ON true
        WHERE e.tenant = $1 AND e.id = $2
        ORDER BY p.id ${keyset.dir}`,
      params,
    );
    // Another tenant's endpoint is as absent as one that never existed.
    if (rows.length === 0) throw ENDPOINT_NOT_FOUND.error(`no webhook endpoint ${endpointId}`);
    const deliveries = rows.filter((r): r is DeliveryItemRow => r.id !== null);
    return toTextPage(deliveries, {
      limit,
      order,
      start,
      codec: this.codec,
      scope,
      keyOf: (r) => r.id,
      itemOf: deliveryItem,
    });
  }
}
