/** `GET /api/v1/webhooks/health`: the tenant's webhook health, one statement. */
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { readAsTenant } from '@herald/platform';
import { endpointHealth } from '../shared/endpoint-health';
import {
  EndpointHealthRow,
  endpointHealthSql,
  firstDeliveryIdSince,
  WINDOW_MS,
} from '../shared/endpoint-health.sql';
import { addCounts, healthStatus, NO_DELIVERIES, successRate } from '../shared/health-status';
import type { WebhookHealthResponseDto } from '../shared/health.response.dto';

@Injectable()
export class WebhookHealthQuery {
  constructor(private readonly ds: DataSource) {}

  async execute(tenant: string): Promise<WebhookHealthResponseDto> {
    const rows = await readAsTenant<EndpointHealthRow>(this.ds, tenant, endpointHealthSql(false), [
      tenant,
      firstDeliveryIdSince(new Date(Date.now() - WINDOW_MS)),
    ]);
    const endpoints = rows.map(endpointHealth);
    const counts = endpoints.reduce((sum, e) => addCounts(sum, e.deliveries_24h), NO_DELIVERIES);
    const ages = endpoints.map((e) => e.oldest_pending_age_seconds).filter((a): a is number => a !== null);
    const oldest = ages.length === 0 ? null : Math.max(...ages);
    const dead = endpoints.filter(
      (e) => !e.active && (e.disabled_reason === 'gone' || e.disabled_reason === 'consecutive_failures'),
    ).length;
    const rate = successRate(counts);
    return {
      status: healthStatus({
        successRate: rate,
        oldestPendingAgeSeconds: oldest,
        autoDisabledEndpoints: dead,
        trippedBreakers: endpoints.filter((e) => e.active && e.breaker !== 'closed').length,
      }),
      success_rate_24h: rate,
      deliveries_24h: counts,
      oldest_pending_age_seconds: oldest,
      dead_endpoints: dead,
      disabled_endpoints: endpoints.filter((e) => !e.active).length,
      endpoints,
    };
  }
}
