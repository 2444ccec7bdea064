/** Wraps every successful controller result in `{ data, meta: { request_id, … } }`. */
import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { map, Observable } from 'rxjs';
import { Enveloped, SuccessEnvelope } from './envelope';

@Injectable()
export class EnvelopeInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<SuccessEnvelope<unknown>> {
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    return next.handle().pipe(
      map((result: unknown): SuccessEnvelope<unknown> => {
        if (result instanceof Enveloped) {
          const enveloped = result as Enveloped<unknown>;
          return { data: enveloped.data, meta: { request_id: req.id, ...enveloped.meta } };
        }
        return { data: result, meta: { request_id: req.id } };
      }),
    );
  }
}
