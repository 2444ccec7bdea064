/** Public API (query side): /api/v1/* over the Postgres read models. */
import { Module } from '@nestjs/common';

@Module({})
export class GatewayModule {}
