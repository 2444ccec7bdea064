/** Projector: public events → Postgres read models (one consumer group for every read model). */
import { Module } from '@nestjs/common';
import { ProjectorLibModule } from '@herald/events';
import { ProjectorConsumer } from './projector.consumer';

@Module({ imports: [ProjectorLibModule], controllers: [ProjectorConsumer] })
export class ProjectorModule {}
