export * from './endpoints/endpoint';
export * from './webhook-errors';
export * from './webhooks-api.module';
export {
  ReplayDeliveryHandler,
  DELIVERIES_WAKE_CHANNEL,
} from './deliveries/replay-delivery/replay-delivery.handler';
export {
  ReplayDeliveriesHandler,
  REPLAY_DELIVERIES_GROUP_PREFIX,
} from './deliveries/replay-deliveries/replay-deliveries.handler';
export type {
  ReplayDeliveriesProgress,
  ReplayDeliveriesResult,
} from './deliveries/replay-deliveries/replay-deliveries.handler';
export { parseReplayWindow } from './deliveries/replay-deliveries/replay-window';
export type { ReplayWindow } from './deliveries/replay-deliveries/replay-window';
export type {
  WebhookDeliveryResponseDto,
  WebhookAttemptResponseDto,
} from './deliveries/shared/delivery.response.dto';
export type {
  WebhookEndpointResponseDto,
  WebhookEndpointWithSecretResponseDto,
} from './endpoints/shared/endpoint.response.dto';
export * from './webhook-delivery.module';
export * from './webhooks-core.module';
export * from './secrets';
export { DISPATCHER_BINDING, DISPATCHER_GROUP } from './dispatcher/dispatcher';
export type { DispatchRecord } from './dispatcher/dispatcher';
