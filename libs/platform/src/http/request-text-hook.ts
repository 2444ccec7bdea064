/**
 * Query strings and path parameters of every route, checked before any handler reads them:
 * a decoded `%00` or a lone surrogate is a 400 `bad_request` naming the parameter, never a
 * value handed to Postgres.
 */
import type { FastifyInstance } from 'fastify';
import { errorEnvelope, JSON_CONTENT_TYPE } from './error-reply';
import { findUnsafeText } from '@herald/contracts';
import { BAD_REQUEST } from './error-codes';

export function refuseUnsafeTextInUrls(fastify: FastifyInstance): void {
  fastify.addHook('preValidation', async (req, reply) => {
    const problem = findUnsafeText(req.params ?? {}) ?? findUnsafeText(req.query ?? {});
    if (!problem) return;
    return reply
      .status(BAD_REQUEST.status)
      .headers({ 'content-type': JSON_CONTENT_TYPE, 'x-request-id': req.id })
      .send(errorEnvelope(BAD_REQUEST.code, problem.reason, req.id, [problem]));
  });
}
