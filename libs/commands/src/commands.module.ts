/** The command side: internal HTTP commands and batch ingest, appending to the internal topics. */
import { Module } from '@nestjs/common';
import { EventAppender } from './append/event-appender';
import { IngestEventsController } from './ingest/ingest-events.controller';
import { COMMAND_CONTROLLERS, COMMAND_HANDLERS } from './command-controllers';

@Module({
  controllers: [IngestEventsController, ...COMMAND_CONTROLLERS],
  providers: [EventAppender, ...COMMAND_HANDLERS],
  exports: [EventAppender],
})
export class CommandsLibModule {}
