/** Makes the boot-time configuration injectable everywhere as HERALD_CONFIG. */
import { DynamicModule, Global, Module } from '@nestjs/common';
import type { HeraldConfig } from './config.schema';

export const HERALD_CONFIG = Symbol('HERALD_CONFIG');

@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: HeraldConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: HERALD_CONFIG, useValue: config }],
      exports: [HERALD_CONFIG],
    };
  }
}
