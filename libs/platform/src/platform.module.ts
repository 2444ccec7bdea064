/** Everything a role needs from the platform: config, logging, Postgres, Kafka, health routes, metrics. */
import { DynamicModule, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { ConfigModule, HeraldConfig } from './config';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { KafkaModule } from './kafka/kafka.module';
import { LoggingModule } from './logging/logging.module';
import { MetricsModule } from './metrics/metrics.module';

@Module({})
export class PlatformModule {
  static forRoot(config: HeraldConfig, logger: Logger): DynamicModule {
    return {
      module: PlatformModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(logger),
        MetricsModule,
        DatabaseModule,
        KafkaModule,
        HealthModule,
      ],
    };
  }
}
