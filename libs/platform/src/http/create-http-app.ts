/**
 * Builds a NestJS application on the Fastify adapter with the platform's HTTP
 * conventions: request ids, pino request logs, the envelope, the error filter and
 * one validation pipe.
 */
import { Type, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import { PinoNestLogger } from '../logging/nest-logger';
import { EnvelopeInterceptor } from './envelope.interceptor';
import { HttpExceptionFilter } from './http-exception.filter';
import { requestIdFor } from './request-id';

export interface HttpAppOptions {
  logger: Logger;
  bodyLimitBytes?: number;
}

export async function createHttpApp(
  module: Type<unknown>,
  opts: HttpAppOptions,
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    loggerInstance: opts.logger.child({ component: 'http' }),
    genReqId: requestIdFor,
    bodyLimit: opts.bodyLimitBytes ?? 5 * 1024 * 1024,
    return503OnClosing: true,
  });
  adapter.getInstance().addHook('onRequest', async (req, reply) => {
    void reply.header('x-request-id', req.id);
  });
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, {
    logger: new PinoNestLogger(opts.logger.child({ component: 'nest' })),
    bufferLogs: false,
  });
  app.useGlobalFilters(new HttpExceptionFilter(opts.logger.child({ component: 'http' })));
  app.useGlobalInterceptors(new EnvelopeInterceptor());
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  return app;
}
