/**
 * The one exception filter: every error leaves as the §6 envelope with a stable code
 * and the request id. Unexpected errors are logged once with their stack and
 * answered with an opaque 500.
 */
import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { ErrorEnvelope } from './envelope';
import {
  ErrorCode,
  INTERNAL_ERROR,
  METHOD_NOT_ALLOWED,
  NOT_FOUND,
  PAYLOAD_TOO_LARGE,
  UNSUPPORTED_MEDIA_TYPE,
} from './error-codes';
import { errorEnvelope, JSON_CONTENT_TYPE } from './error-reply';
import { DomainError, STATUS_CODES } from './errors';
import type { RouteMethods } from './route-methods';

interface Answer {
  status: number;
  body: ErrorEnvelope;
  headers?: Record<string, string>;
}

/** Framework errors whose own messages say little; ours say what to change. */
const PLAIN_MESSAGES = new Map<number, ErrorCode>([
  [413, PAYLOAD_TOO_LARGE],
  [415, UNSUPPORTED_MEDIA_TYPE],
]);

@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  constructor(
    private readonly logger: Logger,
    /** Without it, an unmatched method is a 404 like an unknown path. */
    private readonly routes?: RouteMethods,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<FastifyRequest>();
    const reply = ctx.getResponse<FastifyReply>();
    const { status, body, headers } = this.answer(exception, req);
    if (reply.sent) return;
    void reply
      .status(status)
      .headers({ ...headers, 'content-type': JSON_CONTENT_TYPE, 'x-request-id': req.id })
      .send(body);
  }

  private answer(exception: unknown, req: FastifyRequest): Answer {
    const id = req.id;
    // Fastify checks the body of an unrouted request before its 404 handler runs (a QUERY
    // without Content-Type, a broken body): the route is what is wrong, so it answers 404/405.
    if (req.is404 && isClientError(exception)) return this.noRoute(req);
    if (exception instanceof DomainError) {
      if (exception.status >= 500) this.logUnexpected(exception, req);
      return {
        status: exception.status,
        body: errorEnvelope(exception.code, exception.message, id, exception.details),
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      if (status === 500) return this.opaque(exception, req);
      const res = exception.getResponse();
      const fields = typeof res === 'object' && res !== null ? (res as Record<string, unknown>) : {};
      const code =
        typeof fields.code === 'string'
          ? fields.code
          : (STATUS_CODES[status] ?? (status >= 500 ? 'internal_error' : 'bad_request'));
      const message = PLAIN_MESSAGES.get(status)?.description ?? messageOf(res) ?? exception.message;
      if (status >= 500) this.logUnexpected(exception, req);
      return { status, body: errorEnvelope(code, message, id, fields.details) };
    }
    const clientStatus = clientErrorStatus(exception);
    if (clientStatus !== undefined) {
      const code = STATUS_CODES[clientStatus] ?? 'bad_request';
      return { status: clientStatus, body: errorEnvelope(code, (exception as Error).message, id) };
    }
    return this.opaque(exception, req);
  }

  /** Nest's not-found handler: the path is unknown, or known for other methods only. */
  private noRoute(req: FastifyRequest): Answer {
    const allowed = this.routes?.allowed(req.url) ?? [];
    const target = `${req.method} ${req.url.split('?')[0] ?? ''}`;
    if (allowed.length > 0) {
      return {
        status: METHOD_NOT_ALLOWED.status,
        headers: { allow: allowed.join(', ') },
        body: errorEnvelope(
          METHOD_NOT_ALLOWED.code,
          `${target} is not allowed; this path takes ${allowed.join(', ')}`,
          req.id,
        ),
      };
    }
    return {
      status: NOT_FOUND.status,
      body: errorEnvelope(NOT_FOUND.code, `no route matches ${target}`, req.id),
    };
  }

  /** Anything unplanned: the stack goes to the log (once, here), the client gets the request id. */
  private opaque(exception: unknown, req: FastifyRequest): Answer {
    this.logUnexpected(exception, req);
    return {
      status: INTERNAL_ERROR.status,
      body: errorEnvelope(INTERNAL_ERROR.code, `internal error; quote request id ${req.id}`, req.id),
    };
  }

  private logUnexpected(exception: unknown, req: FastifyRequest): void {
    this.logger.error({ err: exception, reqId: req.id, method: req.method, url: req.url }, 'request failed');
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

/** Fastify's own client errors (body too large, bad content type) carry a 4xx statusCode. */
function clientErrorStatus(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const s = (err as { statusCode?: unknown }).statusCode;
  return typeof s === 'number' && s >= 400 && s < 500 ? s : undefined;
}

function isClientError(err: unknown): boolean {
  const status =
    err instanceof DomainError
      ? err.status
      : err instanceof HttpException
        ? err.getStatus()
        : clientErrorStatus(err);
  return status !== undefined && status >= 400 && status < 500;
}
