/**
 * Public API (query side): /api/v1/* over the Postgres read models, behind the access
 * guard, with its OpenAPI document and Redoc page.
 */
import { Module } from '@nestjs/common';
import { AccessModule } from '@herald/access';
import { EventQueriesModule } from '@herald/events';
import { GatewayOpenApiModule } from './openapi/gateway-openapi.module';

@Module({ imports: [AccessModule, EventQueriesModule, GatewayOpenApiModule] })
export class GatewayModule {}
