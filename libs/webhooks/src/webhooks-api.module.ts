/**
 * The webhook management routes of the public API (DESIGN.md §6): endpoints (register,
 * list, read, change, delete, rotate the secret, fetch the Ed25519 public key, send a test
 * event) and their delivery logs (list with attempts, replay), and their health (the
 * summary and per-endpoint figures). Served by the gateway.
 */
import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CursorCodec, HERALD_CONFIG, HeraldConfig } from '@herald/platform';
import { GetDeliveryPayloadHttpController } from './deliveries/get-delivery-payload/get-delivery-payload.http.controller';
import { GetDeliveryPayloadQuery } from './deliveries/get-delivery-payload/get-delivery-payload.query';
import { ListDeliveriesHttpController } from './deliveries/list-deliveries/list-deliveries.http.controller';
import { ListDeliveriesQuery } from './deliveries/list-deliveries/list-deliveries.query';
import { ReplayDeliveryHttpController } from './deliveries/replay-delivery/replay-delivery.http.controller';
import { ReplayDeliveryHandler } from './deliveries/replay-delivery/replay-delivery.handler';
import { CreateEndpointHandler } from './endpoints/create-endpoint/create-endpoint.handler';
import { CreateEndpointHttpController } from './endpoints/create-endpoint/create-endpoint.http.controller';
import { DeleteEndpointHandler } from './endpoints/delete-endpoint/delete-endpoint.handler';
import { DeleteEndpointHttpController } from './endpoints/delete-endpoint/delete-endpoint.http.controller';
import { GetEndpointHttpController } from './endpoints/get-endpoint/get-endpoint.http.controller';
import { GetEndpointQuery } from './endpoints/get-endpoint/get-endpoint.query';
import { GetPublicKeyHttpController } from './endpoints/get-public-key/get-public-key.http.controller';
import { GetPublicKeyQuery } from './endpoints/get-public-key/get-public-key.query';
import { ListEndpointsHttpController } from './endpoints/list-endpoints/list-endpoints.http.controller';
import { ListEndpointsQuery } from './endpoints/list-endpoints/list-endpoints.query';
import { RotateSecretHandler } from './endpoints/rotate-secret/rotate-secret.handler';
import { RotateSecretHttpController } from './endpoints/rotate-secret/rotate-secret.http.controller';
import { SendTestEventHandler } from './endpoints/send-test-event/send-test-event.handler';
import { SendTestEventHttpController } from './endpoints/send-test-event/send-test-event.http.controller';
import { UpdateEndpointHandler } from './endpoints/update-endpoint/update-endpoint.handler';
import { UpdateEndpointHttpController } from './endpoints/update-endpoint/update-endpoint.http.controller';
import { EndpointStatsHttpController } from './health/endpoint-stats/endpoint-stats.http.controller';
import { EndpointStatsQuery } from './health/endpoint-stats/endpoint-stats.query';
import { WebhookHealthHttpController } from './health/webhook-health/webhook-health.http.controller';
import { WebhookHealthQuery } from './health/webhook-health/webhook-health.query';
import { WebhooksCoreModule } from './webhooks-core.module';

@Module({
  imports: [WebhooksCoreModule],
  controllers: [
    // Before the routes with an `{id}`, though the router prefers a static segment anyway.
    WebhookHealthHttpController,
    ReplayDeliveryHttpController,
    GetDeliveryPayloadHttpController,
    ListEndpointsHttpController,
    CreateEndpointHttpController,
    GetEndpointHttpController,
    GetPublicKeyHttpController,
    UpdateEndpointHttpController,
    DeleteEndpointHttpController,
    ListDeliveriesHttpController,
    SendTestEventHttpController,
    RotateSecretHttpController,
    EndpointStatsHttpController,
  ],
  providers: [
    {
      provide: CursorCodec,
      inject: [HERALD_CONFIG],
      useFactory: (config: HeraldConfig) => CursorCodec.fromMasterKey(config.masterKey),
    },
    {
      provide: ReplayDeliveryHandler,
      inject: [DataSource, HERALD_CONFIG],
      useFactory: (ds: DataSource, config: HeraldConfig) =>
        new ReplayDeliveryHandler(ds, config.retrySchedule),
    },
    ListEndpointsQuery,
    GetEndpointQuery,
    GetPublicKeyQuery,
    CreateEndpointHandler,
    UpdateEndpointHandler,
    DeleteEndpointHandler,
    RotateSecretHandler,
    SendTestEventHandler,
    ListDeliveriesQuery,
    GetDeliveryPayloadQuery,
    WebhookHealthQuery,
    EndpointStatsQuery,
  ],
})
export class WebhooksApiModule {}
