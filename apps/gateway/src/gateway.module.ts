/**
 * Public API: /api/v1/* over the Postgres read models, the webhook, API key and OAuth
 * client management routes and the tenant administration routes (audit log, settings),
 * behind the access guard, with its OpenAPI document and Redoc page; and the admin console
 * at /admin.
 */
import { Module } from '@nestjs/common';
import { AccessModule, ClientsApiModule, KeysApiModule, ManagementApiModule } from '@herald/access';
import { EventQueriesModule } from '@herald/events';
import { WebhooksApiModule } from '@herald/webhooks';
import { AdminUiModule } from './admin-ui/admin-ui.module';
import { GatewayOpenApiModule } from './openapi/gateway-openapi.module';

@Module({
  imports: [
    AccessModule,
    KeysApiModule,
    ClientsApiModule,
    ManagementApiModule,
    EventQueriesModule,
    WebhooksApiModule,
    GatewayOpenApiModule,
    AdminUiModule,
  ],
})
export class GatewayModule {}
