/** The dispatcher's transport adapter: its consumer group's batches, as Nest event handlers. */
import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { ConsumeBatches, ConsumedBatch, HandleResult } from '@herald/platform';
import { DISPATCHER_BINDING, DispatchRecord, WebhookDeliveryService } from '@herald/webhooks';

@Controller()
export class DispatcherConsumer {
  constructor(private readonly delivery: WebhookDeliveryService) {}

  @ConsumeBatches(DISPATCHER_BINDING)
  dispatch(@Payload() batch: ConsumedBatch<DispatchRecord>): Promise<HandleResult | void> {
    return this.delivery.dispatcher.dispatch(batch.messages, batch);
  }
}
