/** `GET /api/v1/webhooks/{id}/stats`: one endpoint's health figures, one statement. */
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { readAsTenant } from '@herald/platform';
import { ENDPOINT_NOT_FOUND } from '../../webhook-errors';
import { endpointHealth } from '../shared/endpoint-health';
import {
  EndpointHealthRow,
  endpointHealthSql,
  firstDeliveryIdSince,
  WINDOW_MS,
} from '../shared/endpoint-health.sql';
import type { EndpointHealthResponseDto } from '../shared/health.response.dto';

@Injectable()
export class EndpointStatsQuery {
  constructor(private readonly ds: DataSource) {}

  async execute(tenant: string, endpointId: string): Promise<EndpointHealthResponseDto> {
    const [row] = await readAsTenant<EndpointHealthRow>(this.ds, tenant, endpointHealthSql(true), [
      tenant,
      firstDeliveryIdSince(new Date(Date.now() - WINDOW_MS)),
      endpointId,
    ]);
    // Another tenant's endpoint is as absent as one that never existed.
    if (!row) throw ENDPOINT_NOT_FOUND.error(`no webhook endpoint ${endpointId}`);
    return endpointHealth(row);
  }
}
