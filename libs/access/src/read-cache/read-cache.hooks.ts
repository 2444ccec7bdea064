/**
 * Serves repeated public reads from the read cache. On a GET of a `@CachedRead()` route:
 *
 * - a body is cached for this tenant and exact URL, it is still current once every change
 *   committed before the request arrived has been heard of (`sync`, one round trip shared
 *   by all the requests waiting), and the access guard admits the request from cached
 *   state alone (see `AccessGuard.admitFromCache`): the cached body is sent with this
 *   request's id, before Nest routes anything;
 * - otherwise the request goes the normal way, with a ticket taken now; when it ends in
 *   a 200, its serialized body is stored under that ticket (if no change came in since).
 *
 * Both ways run the same checks in the same order of precedence, set the same headers
 * and record the same usage; only the database read and the serialization are skipped.
 */
import { JSON_CONTENT_TYPE } from '@herald/platform';
import type { Scope } from '@herald/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AccessGuard } from '../guard/access.guard';
import { tenantFromHost } from '../guard/request-credentials';
import { ReadCache, readCacheKey, ReadTicket, splitAtRequestId } from './read-cache';

export interface CachedReadsOptions {
  cache: ReadCache;
  guard: AccessGuard;
  /** Route URL patterns (as Fastify knows them) of the `@CachedRead()` handlers, with their scopes. */
  routes: ReadonlyMap<string, readonly Scope[]>;
  /** Resolves true once every read-model change committed before the call has been applied to the cache. */
  sync: () => Promise<boolean>;
  baseDomain: string;
  /** Counts each cacheable read: answered from the cache, or not. */
  count?: { hit(): void; miss(): void };
}

export function serveCachedReads(fastify: FastifyInstance, opts: CachedReadsOptions): void {
  const { cache, guard, routes, baseDomain, sync, count } = opts;
  if (!cache.enabled || routes.size === 0) return;
  const tickets = new WeakMap<FastifyRequest, ReadTicket>();

  fastify.addHook('onRequest', async (req, reply) => {
    if (req.method !== 'GET') return;
    const scopes = routes.get(req.routeOptions.url ?? '');
    if (!scopes) return;
    const tenant = tenantFromHost(req.host, baseDomain);
    if (!tenant) return;
    const key = readCacheKey(tenant, req.url);
    let hit = cache.get(tenant, key);
    // A client that saw a commit before asking must not be served what preceded it.
    if (hit) hit = (await sync()) ? cache.get(tenant, key) : undefined;
    if (hit && (await guard.admitFromCache(req, reply, tenant, scopes))) {
      count?.hit();
      return reply
        .header('content-type', JSON_CONTENT_TYPE)
        .send(Buffer.concat([hit.head, Buffer.from(JSON.stringify(req.id)), hit.tail]));
    }
    count?.miss();
    const ticket = cache.ticket(tenant, key);
    if (ticket) tickets.set(req, ticket);
  });

  fastify.addHook('onSend', (req, reply, payload, done) => {
    const ticket = tickets.get(req);
    if (ticket && reply.statusCode === 200 && typeof payload === 'string') {
      const body = splitAtRequestId(payload, req.id);
      if (body) cache.put(ticket, body);
    }
    done(null, payload);
  });
}
