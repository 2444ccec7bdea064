/**
 * Which methods a path answers to, for `405 Method Not Allowed` + `Allow`: Fastify
 * answers an unmatched method with a plain 404, so every route it registers is mirrored
 * into a second find-my-way router (the matcher Fastify itself uses, same options) that
 * can be asked about each method in turn.
 */
import Router from 'find-my-way';
import type { FastifyInstance } from 'fastify';

type Method = Router.HTTPMethod;

export class RouteMethods {
  private readonly router: Router.Instance<Router.HTTPVersion.V1>;
  private readonly methods = new Set<Method>();
  private readonly registered = new Set<string>();

  constructor(opts: {
    ignoreTrailingSlash?: boolean;
    ignoreDuplicateSlashes?: boolean;
    caseSensitive?: boolean;
  }) {
    this.router = Router({
      ignoreTrailingSlash: opts.ignoreTrailingSlash ?? false,
      ignoreDuplicateSlashes: opts.ignoreDuplicateSlashes ?? false,
      caseSensitive: opts.caseSensitive ?? true,
    });
  }

  /** Mirrors every route registered from now on; call before the routes are added. */
  static track(fastify: FastifyInstance): RouteMethods {
    const cfg = fastify.initialConfig;
    const routes = new RouteMethods({
      ignoreTrailingSlash: cfg.ignoreTrailingSlash,
      ignoreDuplicateSlashes: cfg.ignoreDuplicateSlashes,
      caseSensitive: cfg.caseSensitive,
    });
    fastify.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      for (const m of methods) routes.add(m, route.url);
    });
    return routes;
  }

  add(method: string, url: string): void {
    const m = method.toUpperCase() as Method;
    const key = `${m} ${url}`;
    if (this.registered.has(key)) return;
    this.registered.add(key);
    this.methods.add(m);
    this.router.on(m, url, () => undefined);
  }

  /** The methods `url` (a raw request URL; the query string is ignored) answers to, sorted. */
  allowed(url: string): string[] {
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const out: string[] = [];
    for (const m of this.methods) {
      if (this.router.find(m, path) !== null) out.push(m);
    }
    return out.sort();
  }
}
