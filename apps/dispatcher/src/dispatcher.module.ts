/** Dispatcher: public events → webhook deliveries (consumer group on the public topic) and the delivery workers. */
import { Module } from '@nestjs/common';
import { WebhookDeliveryModule } from '@herald/webhooks';
import { DispatcherConsumer } from './dispatcher.consumer';

@Module({ imports: [WebhookDeliveryModule], controllers: [DispatcherConsumer] })
export class DispatcherModule {}
