/**
 * Public API: /api/v1/* over the Postgres read models, the webhook management routes and
 * the tenant administration routes (audit log, settings), behind the access guard, with
 * its OpenAPI document and Redoc page.
 */
import { Module } from '@nestjs/common';
import { AccessModule, ManagementApiModule } from '@herald/access';
import { EventQueriesModule } from '@herald/events';
import { WebhooksApiModule } from '@herald/webhooks';
import { GatewayOpenApiModule } from './openapi/gateway-openapi.module';

@Module({
  imports: [AccessModule, ManagementApiModule, EventQueriesModule, WebhooksApiModule, GatewayOpenApiModule],
})
export class GatewayModule {}
