/**
 * Outside development the API is served over HTTPS only. A request counts as HTTPS when
 * it arrived over TLS on our own socket, or when the peer is a trusted proxy
 * (HERALD_TRUSTED_PROXIES, enforced by Fastify's trustProxy) that says
 * `X-Forwarded-Proto: https`. Anything else is refused with 403 `https_required` before
 * authentication runs, so a key sent in clear is never looked up or answered.
 * Liveness, readiness and metrics stay reachable over plain HTTP: orchestrators and
 * scrapers dial the pod directly, and those routes carry no tenant data.
 */
import type { FastifyInstance } from 'fastify';
import { HTTPS_REQUIRED } from './error-codes';
import { sendError } from './error-reply';

export const PLAIN_HTTP_PATHS: readonly string[] = ['/healthz', '/readyz', '/metrics'];

export function requireHttps(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', async (req, reply) => {
    if (req.protocol === 'https') return;
    const q = req.url.indexOf('?');
    const path = q === -1 ? req.url : req.url.slice(0, q);
    if (PLAIN_HTTP_PATHS.includes(path)) return;
    return sendError(req, reply, HTTPS_REQUIRED, 'use https://; this API does not answer plain HTTP');
  });
}
