/**
 * Which methods a path answers to, for `405 Method Not Allowed` + `Allow`: Fastify
 * answers an unmatched method with a plain 404, so every route it registers is mirrored
 * into a second find-my-way router (the matcher Fastify itself uses, same options) that
 * can be asked about each method in turn.
 *
 * A path that some route names literally (`/api/v1/webhooks/health`) belongs to the routes
 * that name it: a method it lacks is not served by a route with a parameter in that place
 * (`PATCH /api/v1/webhooks/{id}` with `health` for the id), it is a 405 like any other.
 */
import Router from 'find-my-way';
import type { FastifyInstance } from 'fastify';

type Method = Router.HTTPMethod;

export class RouteMethods {
  private readonly router: Router.Instance<Router.HTTPVersion.V1>;
  /** The routes without a parameter or wildcard only. */
  private readonly literals: Router.Instance<Router.HTTPVersion.V1>;
  private readonly methods = new Set<Method>();
  private readonly registered = new Set<string>();

  constructor(opts: {
    ignoreTrailingSlash?: boolean;
    ignoreDuplicateSlashes?: boolean;
    caseSensitive?: boolean;
  }) {
    const options = {
      ignoreTrailingSlash: opts.ignoreTrailingSlash ?? false,
      ignoreDuplicateSlashes: opts.ignoreDuplicateSlashes ?? false,
      caseSensitive: opts.caseSensitive ?? true,
    };
    this.router = Router(options);
    this.literals = Router(options);
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
    if (!/[:*]/.test(url)) this.literals.on(m, url, () => undefined);
  }

  /** The methods `url` (a raw request URL; the query string is ignored) answers to, sorted. */
  allowed(url: string): string[] {
    const path = pathOf(url);
    const literal = this.matching(this.literals, path);
    return literal.length > 0 ? literal : this.matching(this.router, path);
  }

  /**
   * True when `url` is a path routes name literally for other methods only: the request must
   * be answered 405, not handed to a route whose parameter would take that segment.
   */
  shadowed(method: string, url: string): boolean {
    const path = pathOf(url);
    const m = method.toUpperCase() as Method;
    // The common case first: the request's own method has a literal route here.
    if (this.methods.has(m) && this.literals.find(m, path) !== null) return false;
    return this.matching(this.literals, path).length > 0;
  }

  private matching(router: Router.Instance<Router.HTTPVersion.V1>, path: string): string[] {
    const out: string[] = [];
    for (const m of this.methods) {
      if (router.find(m, path) !== null) out.push(m);
    }
    return out.sort();
  }
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}
