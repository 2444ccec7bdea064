/**
 * Serves repeated public reads from the read cache. On a GET of a `@CachedRead()` route:
 *
 * - a body is cached for this tenant and exact URL, it is still current once every change
 *   committed before the request arrived has been heard of (`sync`, one round trip shared
 *   by all the requests waiting), and the access guard admits the request from cached
 *   state alone (see `AccessGuard.admitFromCache`): the cached body is sent with this
 *   request's id, before Nest routes anything;
 * - otherwise, when the route has a direct read (`@CachedRead(direct)`) that accepts the
 *   query and the guard admits the request from cached state, the direct read answers it
 *   — still before Nest — and its body is stored under a ticket taken before the read;
 * - otherwise the request goes the normal way, with a ticket taken now; when it ends in
 *   a 200, its serialized body is stored under that ticket (if no change came in since).
 *
 * Direct reads answer with the cache off too (HERALD_READ_CACHE_MB=0): they are the
 * uncached path.
 *
 * Both ways run the same checks in the same order of precedence, set the same headers
 * and record the same usage; only the database read and the serialization are skipped.
 */
import { DirectRead, JSON_CONTENT_TYPE } from '@herald/platform';
import type { Scope } from '@herald/contracts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AccessGuard } from '../guard/access.guard';
import { tenantFromHost } from '../guard/request-credentials';
import { ReadCache, readCacheKey, ReadTicket, splitAtRequestId } from './read-cache';

export interface CachedReadsOptions {
  cache: ReadCache;
  guard: AccessGuard;
  /** Route URL patterns (as Fastify knows them) of the `@CachedRead()` handlers. */
  routes: ReadonlyMap<string, CachedRoute>;
  /** Resolves true once every read-model change committed before the call has been applied to the cache. */
  sync: () => Promise<boolean>;
  baseDomain: string;
  /** Counts each cacheable read: answered from the cache, or not. */
  count?: { hit(): void; miss(): void };
  /** Answers a direct read that failed after admission (the route's exception filter is not on this path). */
  failed: (err: unknown, req: FastifyRequest, reply: FastifyReply) => FastifyReply;
}

export interface CachedRoute {
  scopes: readonly Scope[];
  direct?: DirectRead;
}

export function serveCachedReads(fastify: FastifyInstance, opts: CachedReadsOptions): void {
  const { cache, guard, routes, baseDomain, sync, count, failed } = opts;
  const direct = [...routes.values()].some((r) => r.direct);
  if ((!cache.enabled && !direct) || routes.size === 0) return;
  const tickets = new WeakMap<FastifyRequest, ReadTicket>();

  fastify.addHook('onRequest', async (req, reply) => {
    if (req.method !== 'GET') return;
    const route = routes.get(req.routeOptions.url ?? '');
    if (!route) return;
    const tenant = tenantFromHost(req.host, baseDomain);
    if (!tenant) return;
    let ticket: ReadTicket | undefined;
    if (cache.enabled) {
      const key = readCacheKey(tenant, req.url);
      let hit = cache.get(tenant, key);
      // A client that saw a commit before asking must not be served what preceded it.
      if (hit) hit = (await sync()) ? cache.get(tenant, key) : undefined;
      if (hit && (await guard.admitFromCache(req, reply, tenant, route.scopes))) {
        count?.hit();
        return reply
          .header('content-type', JSON_CONTENT_TYPE)
          .send(Buffer.concat([hit.head, Buffer.from(JSON.stringify(req.id)), hit.tail]));
      }
      count?.miss();
      ticket = cache.ticket(tenant, key);
    }
    const accepted = route.direct?.accept(tenant, req.query);
    if (accepted !== undefined && (await guard.admitFromCache(req, reply, tenant, route.scopes))) {
      let body: string;
      try {
        body = await route.direct!.answer(accepted, req.id);
      } catch (err) {
        return failed(err, req, reply);
      }
      const parts = ticket && splitAtRequestId(body, req.id);
      if (parts) cache.put(ticket!, parts);
      return reply.header('content-type', JSON_CONTENT_TYPE).send(body);
    }
    if (ticket) tickets.set(req, ticket);
  });

  if (!cache.enabled) return;
  fastify.addHook('onSend', (req, reply, payload, done) => {
    const ticket = tickets.get(req);
    if (ticket && reply.statusCode === 200 && typeof payload === 'string') {
      const body = splitAtRequestId(payload, req.id);
      if (body) cache.put(ticket, body);
    }
    done(null, payload);
  });
}
