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
        const enveloped = result instanceof Enveloped ? (result as Enveloped<unknown>) : undefined;
        const data = enveloped ? enveloped.data : result;
        const meta = enveloped?.meta ?? {};
        // Data serialized already goes out as text, spliced into the envelope.
        if (data instanceof RawJson) {
          void context.switchToHttp().getResponse<FastifyReply>().header('content-type', JSON_CONTENT_TYPE);
          return envelopeText(data, req.id, meta);
        }
        return { data, meta: { request_id: req.id, ...meta } };
      }),
    );
  }
}
