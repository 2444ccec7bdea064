import { DynamicModule, Global, Module } from '@nestjs/common';
import type { Logger } from 'pino';

export const HERALD_LOGGER = Symbol('HERALD_LOGGER');

@Global()
@Module({})
export class LoggingModule {
  static forRoot(logger: Logger): DynamicModule {
    return {
      module: LoggingModule,
      providers: [{ provide: HERALD_LOGGER, useValue: logger }],
      exports: [HERALD_LOGGER],
    };
  }
}
