/**
 * Public API: /api/v1/* over the Postgres read models and the webhook management
 * routes, behind the access guard, with its OpenAPI document and Redoc page.
 */
import { Module } from '@nestjs/common';
import { AccessModule } from '@herald/access';
import { EventQueriesModule } from '@herald/events';
import { WebhooksApiModule } from '@herald/webhooks';
import { GatewayOpenApiModule } from './openapi/gateway-openapi.module';

@Module({ imports: [AccessModule, EventQueriesModule, WebhooksApiModule, GatewayOpenApiModule] })
export class GatewayModule {}
