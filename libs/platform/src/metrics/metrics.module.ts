/** The process's metrics registry, injectable by every role, and the route that serves it. */
import { Global, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { HERALD_LOGGER } from '../logging';
import { HeraldMetrics } from './herald-metrics';
import { MetricsRoute } from './metrics.route';

@Global()
@Module({
  providers: [
    {
      provide: HeraldMetrics,
      inject: [HERALD_LOGGER],
      useFactory: (logger: Logger) => new HeraldMetrics(logger.child({ component: 'metrics' })),
    },
    MetricsRoute,
  ],
  exports: [HeraldMetrics],
})
export class MetricsModule {}
