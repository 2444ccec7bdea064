/**
 * `GET /api/v1/webhooks/deliveries/{delivery_id}/payload`: the exact body a delivery sends
 * (its message, which every attempt signs), in one statement.
 */
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { readAsTenant } from '@herald/platform';
import { DELIVERY_NOT_FOUND } from '../../webhook-errors';
import type { WebhookDeliveryPayloadResponseDto } from '../shared/delivery.response.dto';

@Injectable()
export class GetDeliveryPayloadQuery {
  constructor(private readonly ds: DataSource) {}

  async execute(tenant: string, deliveryId: string): Promise<WebhookDeliveryPayloadResponseDto> {
    const [row] = await readAsTenant<WebhookDeliveryPayloadResponseDto>(
      this.ds,
      tenant,
      `SELECT d.id AS delivery_id, d.event_id, d.event_type, m.payload
         FROM webhook_deliveries d
         JOIN webhook_messages m ON m.tenant = d.tenant AND m.event_id = d.event_id
        WHERE d.tenant = $1 AND d.id = $2`,
      [tenant, deliveryId],
    );
    // Another tenant's delivery is as absent as one that never existed.
    if (!row) throw DELIVERY_NOT_FOUND.error(`no delivery ${deliveryId}`);
    return {
      delivery_id: row.delivery_id,
      event_id: row.event_id,
      event_type: row.event_type,
      payload: row.payload,
    };
  }
}
