/**
 * Serves the admin console (apps/gateway/admin/: plain ES modules, no build step) at
 * `/admin`, and `index.html` for every client-side route under it. Files are read once at
 * boot. Every answer carries a strict CSP (same-origin scripts and styles only, nothing
 * inline), refuses framing, and the HTML is never cached.
 */
import { Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AdminUiFiles, loadAdminUiFiles } from './admin-ui-files';

export const ADMIN_UI_PATH = '/admin';

export const ADMIN_UI_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': ADMIN_UI_CSP,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
};

@Module({})
export class AdminUiModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    mountAdminUi(fastify, loadAdminUiFiles());
  }
}

export function mountAdminUi(fastify: FastifyInstance, files: AdminUiFiles): void {
  const page = (_req: FastifyRequest, reply: FastifyReply): FastifyReply =>
    reply
      .headers({
        ...SECURITY_HEADERS,
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
      })
      .send(files.index);
  fastify.get(ADMIN_UI_PATH, page);
  fastify.get(`${ADMIN_UI_PATH}/*`, (req, reply) => {
    const rest = (req.params as { '*': string })['*'];
    // The session routes (and any API path the console gains) are never the page.
    if (rest === 'api' || rest.startsWith('api/')) return reply.callNotFound();
    const asset = files.assets.get(rest);
    if (asset) {
      return reply
        .headers({ ...SECURITY_HEADERS, 'content-type': asset.contentType, 'cache-control': 'no-cache' })
        .send(asset.body);
    }
    // A missing script or stylesheet is a 404, not the page (which would not run as one).
    if (/\.[a-z0-9]+$/i.test(rest)) return reply.callNotFound();
    return page(req, reply);
  });
}
