/**
 * Fastify (4 and 5) route handler for Herald webhooks.
 *
 * ```ts
 * app.register(async (scope) => {
 *   rawJsonBody(scope); // this scope only: other routes keep parsed JSON
 *   scope.post('/webhooks/herald', heraldWebhook({ secrets, store }, async (event) => { … }));
 * });
 * ```
 *
 * Fastify parses JSON before the handler runs, so the webhook route needs a content-type
 * parser that keeps the bytes: `rawJsonBody` adds one for `application/json` to the scope
 * it is given (register the route in its own plugin so other routes are unaffected).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { VerifiedDelivery, WebhookEvent } from './event';
import { PARSED_BODY_MESSAGE } from './raw-body';
import { admit, HANDLED, HANDLER_FAILED, ReceiverAnswer, ReceiverOptions, refusal, settle } from './receive';

/** Makes `application/json` bodies of this scope arrive as a Buffer. */
export function rawJsonBody(scope: FastifyInstance): void {
  scope.removeContentTypeParser('application/json');
  scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) =>
    done(null, body),
  );
}

export type FastifyWebhookHandler<TData extends object> = (
  event: WebhookEvent<TData>,
  context: { request: FastifyRequest; reply: FastifyReply; delivery: VerifiedDelivery<TData> },
) => unknown;

export function heraldWebhook<TData extends object = Record<string, unknown>>(
  options: ReceiverOptions,
  handler: FastifyWebhookHandler<TData>,
): (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply> {
  return async (request, reply) => {
    const answer = await handle(request, reply, options, handler);
    if (reply.sent) return reply;
    return reply.code(answer.status).headers(answer.headers).send(answer.body);
  };
}

async function handle<TData extends object>(
  request: FastifyRequest,
  reply: FastifyReply,
  options: ReceiverOptions,
  handler: FastifyWebhookHandler<TData>,
): Promise<ReceiverAnswer> {
  const raw = (request as { rawBody?: unknown }).rawBody ?? request.body;
  const bytes = Buffer.isBuffer(raw) ? raw : typeof raw === 'string' ? Buffer.from(raw, 'utf8') : undefined;
  if (bytes === undefined) {
    const err = new Error(PARSED_BODY_MESSAGE);
    options.onError?.(err, undefined);
    return refusal('receiver_misconfigured', err.message, 500);
  }
  const outcome = await admit<TData>(request.headers, bytes, options);
  if (outcome.kind !== 'claimed') return outcome.answer;
  const { event } = outcome.delivery;
  try {
    await handler(event, { request, reply, delivery: outcome.delivery });
  } catch (error) {
    await settle(options, event, { error });
    return HANDLER_FAILED;
  }
  await settle(options, event);
  return HANDLED;
}
