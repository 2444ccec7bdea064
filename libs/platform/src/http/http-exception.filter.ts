/**
 * The one exception filter: every error leaves as the §6 envelope with a stable code
 * and the request id. Unexpected errors are logged once with their stack and
 * answered with an opaque 500.
 */
import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { DomainError, STATUS_CODES } from './errors';
import type { ErrorEnvelope } from './envelope';

@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<FastifyRequest>();
    const reply = ctx.getResponse<FastifyReply>();
    const { status, body } = this.toEnvelope(exception, req);
    void reply.status(status).header('content-type', 'application/json; charset=utf-8').send(body);
  }

  private toEnvelope(exception: unknown, req: FastifyRequest): { status: number; body: ErrorEnvelope } {
    const meta = { request_id: req.id };
    if (exception instanceof DomainError) {
      return {
        status: exception.status,
        body: {
          error: { code: exception.code, message: exception.message, details: exception.details },
          meta,
        },
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const res = exception.getResponse();
      const code =
        typeof res === 'object' && res !== null && typeof (res as { code?: unknown }).code === 'string'
          ? (res as { code: string }).code
          : (STATUS_CODES[status] ?? (status >= 500 ? 'internal_error' : 'bad_request'));
      const message = messageOf(res) ?? exception.message;
      const details =
        typeof res === 'object' && res !== null ? (res as { details?: unknown }).details : undefined;
      if (status >= 500) this.logger.error({ err: exception, reqId: req.id }, 'request failed');
      return { status, body: { error: { code, message, details }, meta } };
    }
    const fastifyStatus = fastifyErrorStatus(exception);
    if (fastifyStatus !== undefined) {
      const code = STATUS_CODES[fastifyStatus] ?? 'bad_request';
      return {
        status: fastifyStatus,
        body: { error: { code, message: (exception as Error).message }, meta },
      };
    }
    this.logger.error({ err: exception, reqId: req.id }, 'unhandled error');
    return {
      status: 500,
      body: {
        error: { code: 'internal_error', message: `internal error; quote request id ${req.id}` },
        meta,
      },
    };
  }
}

function messageOf(res: unknown): string | undefined {
  if (typeof res === 'string') return res;
  if (typeof res === 'object' && res !== null) {
    const m = (res as { message?: unknown }).message;
    if (typeof m === 'string') return m;
    if (Array.isArray(m)) return m.filter((x) => typeof x === 'string').join('; ');
  }
  return undefined;
}

/** Fastify's own client errors (body too large, bad JSON, bad content type) carry a 4xx statusCode. */
function fastifyErrorStatus(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const s = (err as { statusCode?: unknown }).statusCode;
  return typeof s === 'number' && s >= 400 && s < 500 ? s : undefined;
}
