/**
 * NestJS (10 and 11, Express or Fastify platform) interceptor and decorators for Herald webhooks.
 *
 * ```ts
 * const app = await NestFactory.create(AppModule, { rawBody: true }); // keeps req.rawBody
 *
 * @Post('webhooks/herald')
 * @HeraldWebhook({ secrets: [secret], store })
 * handle(@HeraldEvent() event: WebhookEvent) { … }
 * ```
 *
 * Refusals are thrown as `HttpException`s (401/400, 503 with `Retry-After` for an event in
 * progress, 500 when `rawBody: true` is missing) so the app's exception filter formats them;
 * a duplicate answers `{received: true, duplicate: true}` without calling the handler; a
 * handler that throws releases its claim and its error becomes the response (500).
 */
import {
  applyDecorators,
  CallHandler,
  createParamDecorator,
  ExecutionContext,
  HttpCode,
  HttpException,
  Injectable,
  NestInterceptor,
  UseInterceptors,
} from '@nestjs/common';
import { catchError, concatMap, defer, from, Observable, of, throwError } from 'rxjs';
import type { VerifiedDelivery } from './event';
import { PARSED_BODY_MESSAGE } from './raw-body';
import { admit, ReceiverAnswer, ReceiverOptions, refusal, settle } from './receive';

const DELIVERY = Symbol.for('herald.receiver.delivery');

interface WebhookRequest {
  headers: Record<string, string | string[] | undefined>;
  rawBody?: unknown;
  body?: unknown;
  [DELIVERY]?: VerifiedDelivery;
}

interface WebhookResponse {
  header(name: string, value: string): unknown;
}

@Injectable()
export class HeraldWebhookInterceptor implements NestInterceptor {
  constructor(private readonly options: ReceiverOptions | (() => ReceiverOptions)) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const req = http.getRequest<WebhookRequest>();
    const res = http.getResponse<WebhookResponse>();
    const options = typeof this.options === 'function' ? this.options() : this.options;
    return defer(() => this.admit(req, options)).pipe(
      concatMap((outcome) => {
        if (outcome.kind === 'refused') return throwError(() => asException(res, outcome.answer));
        if (outcome.kind === 'in_progress') return throwError(() => asException(res, outcome.answer));
        if (outcome.kind === 'duplicate') return of(outcome.answer.body);
        const { event } = outcome.delivery;
        req[DELIVERY] = outcome.delivery;
        return next.handle().pipe(
          concatMap((result) => from(settle(options, event)).pipe(concatMap(() => of(result)))),
          catchError((error: unknown) =>
            from(settle(options, event, { error })).pipe(concatMap(() => throwError(() => error))),
          ),
        );
      }),
    );
  }

  private async admit(req: WebhookRequest, options: ReceiverOptions) {
    const raw = req.rawBody;
    if (!Buffer.isBuffer(raw)) {
      return {
        kind: 'refused',
        answer: refusal('receiver_misconfigured', PARSED_BODY_MESSAGE, 500),
      } as const;
    }
    return admit(req.headers, raw, options);
  }
}

function asException(res: WebhookResponse, answer: ReceiverAnswer): HttpException {
  const retryAfter = answer.headers['retry-after'];
  if (retryAfter !== undefined) res.header('Retry-After', retryAfter);
  return new HttpException(answer.body, answer.status);
}

/** Verifies, dedupes and answers 200 for the route it decorates. */
export function HeraldWebhook(
  options: ReceiverOptions | (() => ReceiverOptions),
): MethodDecorator & ClassDecorator {
  return applyDecorators(HttpCode(200), UseInterceptors(new HeraldWebhookInterceptor(options)));
}

/** The verified event (`@HeraldEvent()`), or the whole verified delivery (`@HeraldEvent('delivery')`). */
export const HeraldEvent = createParamDecorator(
  (what: 'event' | 'delivery' | undefined, ctx: ExecutionContext) => {
    const delivery = ctx.switchToHttp().getRequest<WebhookRequest>()[DELIVERY];
    if (!delivery)
      throw new Error('@HeraldEvent() needs the route to use @HeraldWebhook() or HeraldWebhookInterceptor');
    return what === 'delivery' ? delivery : delivery.event;
  },
);
