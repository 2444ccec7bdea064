/**
 * The envelope on every successful handler result (DESIGN.md §6), put on where Nest hands
 * the result to Fastify (`HttpServer.reply`). Nest calls it for a handler's return value,
 * a `@Res({ passthrough: true })` handler's included; a handler that sends its own answer
 * (`@Res()`, the OAuth token endpoint) and the errors HttpExceptionFilter sends never pass
 * through it.
 *
 * Not a global interceptor: with one, Nest runs every request through an rxjs chain built
 * for that request, about 25 µs of CPU per request (a third of a small request's time in
 * Nest; `test/integration/http-envelope.int-spec.ts` shows what the envelope covers).
 */
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyReply } from 'fastify';
import { successEnvelope } from './envelope';
import { JSON_CONTENT_TYPE } from './error-reply';

export class EnvelopingFastifyAdapter extends FastifyAdapter {
  override reply(
    response: Parameters<FastifyAdapter['reply']>[0],
    body: unknown,
    statusCode?: number,
  ): FastifyReply {
    // Route handlers always get Fastify's reply; a raw response has no request to name.
    if (!isFastifyReply(response)) return super.reply(response, body, statusCode);
    const enveloped = successEnvelope(body, response.request.id);
    if (typeof enveloped === 'string') void response.header('content-type', JSON_CONTENT_TYPE);
    return super.reply(response, enveloped, statusCode);
  }
}

function isFastifyReply(response: unknown): response is FastifyReply {
  return typeof response === 'object' && response !== null && 'request' in response && 'raw' in response;
}
