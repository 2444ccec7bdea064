/**
 * `GET /api/v1/webhooks/deliveries/{delivery_id}`: one delivery with its attempts and the
 * exact body it sends (the message every attempt signs), in one statement.
 */
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { readAsTenant } from '@herald/platform';
import { DELIVERY_NOT_FOUND } from '../../webhook-errors';
import { deliveryColumns, DeliveryItemRow, deliveryItem } from '../shared/delivery.item';
import type { WebhookDeliveryDetailResponseDto } from '../shared/delivery.response.dto';

@Injectable()
export class GetDeliveryQuery {
  constructor(private readonly ds: DataSource) {}

  async execute(tenant: string, deliveryId: string): Promise<WebhookDeliveryDetailResponseDto> {
    const [row] = await readAsTenant<DeliveryItemRow & { payload: string }>(
      this.ds,
      tenant,
      `SELECT ${deliveryColumns('d')}, m.payload
         FROM webhook_deliveries d
         JOIN webhook_messages m ON m.tenant = d.tenant AND m.event_id = d.event_id
        WHERE d.tenant = $1 AND d.id = $2`,
      [tenant, deliveryId],
    );
    // Another tenant's delivery is as absent as one that never existed.
    if (!row) throw DELIVERY_NOT_FOUND.error(`no delivery ${deliveryId}`);
    return { ...deliveryItem(row), payload: row.payload };
  }
}
