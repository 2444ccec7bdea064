/**
 * Error replies sent outside Nest's exception filter: from Fastify hooks (HTTPS policy,
 * shutdown), from the router (malformed URLs) and from the socket (unparsable HTTP). Same
 * envelope and `X-Request-Id` as everything else.
 */
import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorEnvelope } from './envelope';
import {
  BAD_REQUEST,
  ErrorCode,
  HEADERS_TOO_LARGE,
  REQUEST_TIMEOUT,
  SERVICE_UNAVAILABLE,
  URI_TOO_LONG,
} from './error-codes';
import { requestIdFor } from './request-id';

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

export function errorEnvelope(
  code: string,
  message: string,
  requestId: string,
  details?: unknown,
): ErrorEnvelope {
  return {
    error: { code, message, ...(details === undefined ? {} : { details }) },
    meta: { request_id: requestId },
  };
}

/** Replies from a hook or handler; returns the reply so an async hook can `return` it. */
export function sendError(
  req: FastifyRequest,
  reply: FastifyReply,
  code: ErrorCode,
  message: string,
  headers: Record<string, string> = {},
): FastifyReply {
  return reply
    .status(code.status)
    .headers({ ...headers, 'content-type': JSON_CONTENT_TYPE, 'x-request-id': req.id })
    .send(errorEnvelope(code.code, message, req.id));
}

/** Fastify's `frameworkErrors`: a URL it cannot route (bad percent-encoding, over-long parameter). */
export function frameworkErrorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  const code = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? URI_TOO_LONG : BAD_REQUEST;
  const message =
    code === URI_TOO_LONG
      ? 'a path parameter is too long'
      : 'the path is not a valid URL (bad percent-encoding)';
  void sendError(req, reply, code, message);
}

/**
 * Node's `clientError`: the bytes were not an HTTP request Node could parse, so there is
 * no request object and no client id to echo; a fresh id still ties the reply to the log.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const code =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? REQUEST_TIMEOUT
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? HEADERS_TOO_LARGE
        : BAD_REQUEST;
  const id = requestIdFor({ headers: {} } as IncomingMessage);
  const body = JSON.stringify(errorEnvelope(code.code, code.description, id));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${code.status} ${STATUS_CODES[code.status] ?? 'Error'}\r\n` +
        `Content-Type: ${JSON_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${id}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}

/** 503 while the server drains, instead of Fastify's own non-envelope body. */
export function sendClosing(req: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendError(req, reply, SERVICE_UNAVAILABLE, 'the server is shutting down; retry', {
    connection: 'close',
  });
}
