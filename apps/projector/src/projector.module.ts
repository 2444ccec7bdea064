/** Projector: public events → Postgres read models (consumer group on the public topic). */
import { Module } from '@nestjs/common';

@Module({})
export class ProjectorModule {}
