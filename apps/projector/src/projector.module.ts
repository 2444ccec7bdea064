/** Projector: public events → Postgres read models (one consumer group per read model). */
import { Module } from '@nestjs/common';
import { ProjectorLibModule } from '@herald/events';

@Module({ imports: [ProjectorLibModule] })
export class ProjectorModule {}
