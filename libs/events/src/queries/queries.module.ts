/** The query side of the public API: events, users and posts read from the read models. */
import { Module } from '@nestjs/common';

@Module({})
export class EventQueriesModule {}
