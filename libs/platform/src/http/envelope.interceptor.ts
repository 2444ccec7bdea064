/** Wraps every successful controller result in `{ data, meta: { request_id, … } }`. */
import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { map, Observable } from 'rxjs';
import { Enveloped, envelopeText, RawJson, SuccessEnvelope } from './envelope';
import { JSON_CONTENT_TYPE } from './error-reply';

@Injectable()
export class EnvelopeInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<SuccessEnvelope<unknown> | string> {
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    return next.handle().pipe(
      map((result: unknown): SuccessEnvelope<unknown> | string => {
        if (result instanceof Enveloped) {
          const enveloped = result as Enveloped<unknown>;
          // Data serialized already goes out as text, spliced into the envelope.
          if (enveloped.data instanceof RawJson) {
            void context.switchToHttp().getResponse<FastifyReply>().header('content-type', JSON_CONTENT_TYPE);
            return envelopeText(enveloped.data, req.id, enveloped.meta);
          }
          return { data: enveloped.data, meta: { request_id: req.id, ...enveloped.meta } };
        }
        return { data: result, meta: { request_id: req.id } };
      }),
    );
  }
}
