/**
 * Express (4 and 5) route handler for Herald webhooks.
 *
 * ```ts
 * app.post('/webhooks/herald', express.raw({ type: 'application/json' }),
 *   heraldWebhook({ secrets: [process.env.HERALD_WEBHOOK_SECRET!], store },
 *     async (event) => { … }));
 * ```
 *
 * The route must see the body unparsed: mount `express.raw` on it (or no body parser at
 * all, and the handler reads the stream itself); a global `express.json()` ahead of it
 * makes every delivery fail with 500 and a message saying so.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { WebhookConfigurationError } from './errors';
import type { VerifiedDelivery, WebhookEvent } from './event';
import { rawBodyOf } from './raw-body';
import { admit, HANDLED, HANDLER_FAILED, ReceiverAnswer, ReceiverOptions, refusal, settle } from './receive';

type Req = IncomingMessage & { body?: unknown; rawBody?: unknown };

export type ExpressWebhookHandler<TData extends object, R extends Req, S extends ServerResponse> = (
  event: WebhookEvent<TData>,
  context: { req: R; res: S; delivery: VerifiedDelivery<TData> },
) => unknown;

export function heraldWebhook<
  TData extends object = Record<string, unknown>,
  R extends Req = Req,
  S extends ServerResponse = ServerResponse,
>(
  options: ReceiverOptions,
  handler: ExpressWebhookHandler<TData, R, S>,
): (req: R, res: S, next: (err?: unknown) => void) => Promise<void> {
  return async (req, res, next) => {
    try {
      send(res, await handle(req, res, options, handler));
    } catch (err) {
      // Store failures and wiring mistakes: Express's error handling decides (default 500).
      next(err);
    }
  };
}

async function handle<TData extends object, R extends Req, S extends ServerResponse>(
  req: R,
  res: S,
  options: ReceiverOptions,
  handler: ExpressWebhookHandler<TData, R, S>,
): Promise<ReceiverAnswer> {
  let raw: Buffer;
  try {
    raw = await rawBodyOf(req);
  } catch (err) {
    if (!(err instanceof WebhookConfigurationError)) throw err;
    options.onError?.(err, undefined);
    return refusal('receiver_misconfigured', err.message, 500);
  }
  const outcome = await admit<TData>(req.headers, raw, options);
  if (outcome.kind !== 'claimed') return outcome.answer;
  const { event } = outcome.delivery;
  try {
    await handler(event, { req, res, delivery: outcome.delivery });
  } catch (error) {
    await settle(options, event, { error });
    return HANDLER_FAILED;
  }
  await settle(options, event);
  return HANDLED;
}

function send(res: ServerResponse, answer: ReceiverAnswer): void {
  // The handler may have answered itself; it then owns the response.
  if (res.headersSent) return;
  res.writeHead(answer.status, answer.headers);
  res.end(JSON.stringify(answer.body));
}
