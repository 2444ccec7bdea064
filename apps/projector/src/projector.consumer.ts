/** The projector's transport adapter: its consumer group's batches and assignments, as Nest event handlers. */
import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { PROJECTOR_BINDING, PROJECTOR_GROUP, ProjectorService } from '@herald/events';
import { ConsumeBatches, ConsumedBatch, HandleResult, OnAssignment, PublicRecord } from '@herald/platform';

@Controller()
export class ProjectorConsumer {
  constructor(private readonly projector: ProjectorService) {}

  @ConsumeBatches(PROJECTOR_BINDING)
  project(@Payload() batch: ConsumedBatch<PublicRecord>): Promise<HandleResult> {
    return this.projector.runner.applyBatch(batch);
  }

  @OnAssignment(PROJECTOR_GROUP)
  assigned(@Payload() assignment: ReadonlyMap<string, number[]>): Promise<void> {
    return this.projector.runner.assigned(assignment);
  }
}
