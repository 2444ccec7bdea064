/** Public API (query side): /api/v1/* over the Postgres read models, behind the access guard. */
import { Module } from '@nestjs/common';
import { AccessModule } from '@herald/access';
import { EventQueriesModule } from '@herald/events';

@Module({ imports: [AccessModule, EventQueriesModule] })
export class GatewayModule {}
