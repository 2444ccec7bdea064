/**
 * GET /metrics: the process's metrics in the Prometheus text format, served as a plain
 * Fastify route (the envelope is for the API, not for scrapers). With HERALD_METRICS_TOKEN
 * set, a scraper must send `Authorization: Bearer <token>`, compared in constant time (both
 * sides hashed first); otherwise the route is open, for a port only scrapers can reach.
 */
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { hash, timingSafeEqual } from 'node:crypto';
import { HERALD_CONFIG, HeraldConfig } from '../config';
import { ErrorCode } from '../http/error-codes';
import { sendError } from '../http/error-reply';
import { HeraldMetrics } from './herald-metrics';

export const METRICS_PATH = '/metrics';

export const INVALID_METRICS_TOKEN = new ErrorCode(
  'invalid_metrics_token',
  401,
  'GET /metrics requires Authorization: Bearer <HERALD_METRICS_TOKEN>.',
);

const digestOf = (token: string): Buffer => hash('sha256', token, 'buffer');

@Injectable()
export class MetricsRoute implements OnModuleInit {
  private readonly expected: Buffer | undefined;

  constructor(
    @Inject(HERALD_CONFIG) config: HeraldConfig,
    private readonly adapterHost: HttpAdapterHost,
    private readonly metrics: HeraldMetrics,
  ) {
    this.expected = config.metricsToken ? digestOf(config.metricsToken) : undefined;
  }

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify) return;
    fastify.get(METRICS_PATH, async (req, reply) => {
      if (this.expected) {
        const header = req.headers.authorization;
        const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
        if (!match?.[1] || !timingSafeEqual(digestOf(match[1]), this.expected)) {
          return sendError(
            req,
            reply,
            INVALID_METRICS_TOKEN,
            'a valid metrics token is required (Authorization: Bearer …)',
            {
              'www-authenticate': 'Bearer',
            },
          );
        }
      }
      const { contentType, text } = await this.metrics.scrape();
      return reply.header('content-type', contentType).header('cache-control', 'no-store').send(text);
    });
  }
}
