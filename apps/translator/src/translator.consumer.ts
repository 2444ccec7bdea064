/** The translator's transport adapter: its consumer group's batches, as Nest event handlers. */
import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { TRANSLATOR_BINDING, TranslatorItem, TranslatorService } from '@herald/events';
import { ConsumeBatches, ConsumedBatch, HandleResult } from '@herald/platform';

@Controller()
export class TranslatorConsumer {
  constructor(private readonly translator: TranslatorService) {}

  @ConsumeBatches(TRANSLATOR_BINDING)
  translate(@Payload() batch: ConsumedBatch<TranslatorItem>): Promise<HandleResult> {
    return this.translator.handle(batch.messages);
  }
}
