/** Command modules: typed internal commands and batch ingest that append domain events to the internal topics. */
import { Module } from '@nestjs/common';
import { CommandsLibModule } from '@herald/commands';

@Module({ imports: [CommandsLibModule] })
export class CommandsModule {}
