/** Command modules: typed internal commands that append domain events to the internal topics. */
import { Module } from '@nestjs/common';

@Module({})
export class CommandsModule {}
