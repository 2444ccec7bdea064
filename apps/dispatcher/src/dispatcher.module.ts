/** Dispatcher: public events → webhook deliveries (consumer group on the public topic) and the delivery workers. */
import { Module } from '@nestjs/common';
import { WebhookDeliveryModule } from '@herald/webhooks';

@Module({ imports: [WebhookDeliveryModule] })
export class DispatcherModule {}
