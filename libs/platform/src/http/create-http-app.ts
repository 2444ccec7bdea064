/**
 * Builds a NestJS application on the Fastify adapter with the platform's HTTP
 * conventions: request ids, pino request logs, the envelope on every answer (errors
 * from Nest, Fastify's router and hooks, and the socket included; successes by the adapter,
 * EnvelopingFastifyAdapter), one validation pipe,
 * JSON-only bodies, 405 with `Allow`, optional TLS and the production HTTPS policy, and
 * the API description when the app includes an OpenApiModule.
 */
import type { Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import type { HeraldConfig } from '../config';
import type { TlsMaterial } from '../config/tls';
import { PinoNestLogger } from '../logging/nest-logger';
import { logFastPathsOnce } from '../fast-paths/fast-paths';
import { useLeanAsyncResourceBind } from './async-resource-bind';
import { mountApiDocs } from '../openapi/api-docs.routes';
import { EnvelopingFastifyAdapter } from './enveloping-adapter';
import { METHOD_NOT_ALLOWED } from './error-codes';
import { clientErrorHandler, frameworkErrorHandler, sendClosing, sendError } from './error-reply';
import { HttpExceptionFilter } from './http-exception.filter';
import { acceptJsonBodiesOnly } from './json-body';
import { requestIdFor } from './request-id';
import { refuseUnsafeTextInUrls } from './request-text-hook';
import { lazyRequestLoggerFactory } from './request-logger';
import { RouteMethods } from './route-methods';
import { PLAIN_HTTP_PATHS, requireHttps } from './transport-security';
import { createValidationPipe } from './validation';

export interface HttpAppOptions {
  logger: Logger;
  bodyLimitBytes?: number;
  /** Serve HTTPS with this certificate and key instead of plain HTTP. */
  tls?: TlsMaterial;
  /** CIDRs of proxies whose X-Forwarded-Proto / X-Forwarded-For are believed. */
  trustedProxies?: readonly string[];
  /** Refuse plain-HTTP requests (probes excepted) with 403 `https_required`. */
  requireHttps?: boolean;
  /** Used in the API description's server entry. */
  baseDomain?: string;
}

/** The HTTP options a role's configuration implies (TLS, proxies, the production HTTPS policy). */
export function httpOptionsFor(config: HeraldConfig): Omit<HttpAppOptions, 'logger'> {
  return {
    tls: config.tls,
    trustedProxies: config.trustedProxies,
    requireHttps: config.env === 'production',
    baseDomain: config.baseDomain,
  };
}

export async function createHttpApp(
  module: Type<unknown>,
  opts: HttpAppOptions,
): Promise<NestFastifyApplication> {
  logFastPathsOnce(opts.logger);
  useLeanAsyncResourceBind();
  const httpLogger = opts.logger.child({ component: 'http' });
  const proxies = opts.trustedProxies ?? [];
  const adapter = new EnvelopingFastifyAdapter({
    loggerInstance: httpLogger,
    genReqId: requestIdFor,
    childLoggerFactory: lazyRequestLoggerFactory,
    bodyLimit: opts.bodyLimitBytes ?? 5 * 1024 * 1024,
    // Our own onRequest hook answers with the envelope while draining.
    return503OnClosing: false,
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
    ...(proxies.length > 0 ? { trustProxy: [...proxies] } : {}),
    ...(opts.tls ? { https: { cert: opts.tls.cert, key: opts.tls.key } } : {}),
  });
  const fastify = adapter.getInstance();
  const routes = RouteMethods.track(fastify);
  let closing = false;
  fastify.addHook('preClose', async () => {
    closing = true;
  });
  fastify.addHook('onRequest', async (req, reply) => {
    void reply.header('x-request-id', req.id);
    if (closing) return sendClosing(req, reply);
    // A literal path's missing method is a 405, not a parameter route's (routes.shadowed).
    if (routes.shadowed(req.method, req.url)) {
      const allowed = routes.allowed(req.url);
      const path = req.url.split('?')[0] ?? '';
      return sendError(
        req,
        reply,
        METHOD_NOT_ALLOWED,
        `${req.method} ${path} is not allowed; this path takes ${allowed.join(', ')}`,
        { allow: allowed.join(', ') },
      );
    }
  });
  if (opts.requireHttps) {
    requireHttps(fastify);
    if (!opts.tls && proxies.length === 0) {
      httpLogger.warn(
        `HTTPS is required but neither HERALD_TLS_CERT nor HERALD_TRUSTED_PROXIES is set: only ${PLAIN_HTTP_PATHS.join(', ')} will answer`,
      );
    }
  }
  acceptJsonBodiesOnly(fastify);
  refuseUnsafeTextInUrls(fastify);

  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, {
    logger: new PinoNestLogger(opts.logger.child({ component: 'nest' })),
    bufferLogs: false,
    bodyParser: false,
  });
  app.useGlobalFilters(new HttpExceptionFilter(httpLogger, routes));
  app.useGlobalPipes(createValidationPipe());
  await mountApiDocs(app, { baseDomain: opts.baseDomain });
  return app;
}
