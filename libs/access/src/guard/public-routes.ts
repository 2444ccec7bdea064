/**
 * Every route of the application with its access metadata, and the boot-time check
 * that refuses to start when a public route declares no scopes, or when a route under
 * `/api/v1` is not marked public (it would be served without any key).
 */
import { Injectable, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { isScope } from '@herald/contracts';
import { CACHED_READ, DIRECT_READ, DirectReadType, PUBLIC_API, REQUIRED_SCOPES } from '@herald/platform';

export const PUBLIC_API_PREFIX = '/api/v1';

export interface RouteAccess {
  method: string;
  path: string;
  /** `Controller.handler` */
  handler: string;
  public: boolean;
  scopes: readonly string[];
  /** `@CachedRead()`: its answers may be served again from the read cache. */
  cached: boolean;
  /** `@CachedRead(direct)`: the provider that answers it before Nest routes the request. */
  direct?: DirectReadType;
}

@Injectable()
export class PublicRoutes {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  /** Throws one message naming every offending route; called first thing at boot. */
  assertWellDeclared(): void {
    const problems = accessProblems(this.all());
    if (problems.length > 0) {
      throw new Error(`refusing to start: ${problems.join('; ')}`);
    }
  }

  all(): RouteAccess[] {
    const seen = new Set<unknown>();
    const routes: RouteAccess[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const cls = wrapper.metatype as (new (...args: never[]) => unknown) | null;
      if (!cls || seen.has(cls)) continue;
      seen.add(cls);
      const proto = cls.prototype as Record<string, unknown>;
      for (const name of this.scanner.getAllMethodNames(proto)) {
        const handler = proto[name];
        if (typeof handler !== 'function') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (method === undefined) continue;
        const targets = [handler, cls];
        const scopes = this.reflector.getAllAndOverride<string[] | undefined>(REQUIRED_SCOPES, targets) ?? [];
        const paths = joinPaths(
          Reflect.getMetadata(PATH_METADATA, cls) as string | string[] | undefined,
          Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined,
        );
        for (const path of paths) {
          routes.push({
            method: RequestMethod[method],
            path,
            handler: `${cls.name}.${name}`,
            public: this.reflector.getAllAndOverride<boolean | undefined>(PUBLIC_API, targets) === true,
            scopes,
            cached: Reflect.getMetadata(CACHED_READ, handler) === true,
            direct: Reflect.getMetadata(DIRECT_READ, handler) as DirectReadType | undefined,
          });
        }
      }
    }
    return routes;
  }
}

export function accessProblems(routes: readonly RouteAccess[]): string[] {
  const problems: string[] = [];
  for (const r of routes) {
    const where = `${r.method} ${r.path} (${r.handler})`;
    if (r.public && r.scopes.length === 0) {
      problems.push(`public route ${where} declares no @RequireScopes(...)`);
    } else if (r.public && !r.scopes.every(isScope)) {
      problems.push(`public route ${where} requires an unknown scope (${r.scopes.join(', ')})`);
    }
    if (r.cached && !(r.public && r.method === 'GET')) {
      problems.push(`route ${where} is @CachedRead() but not a public GET`);
    }
    if (!r.public && (r.path === PUBLIC_API_PREFIX || r.path.startsWith(`${PUBLIC_API_PREFIX}/`))) {
      problems.push(`route ${where} is under ${PUBLIC_API_PREFIX} but not marked @PublicApi()`);
    }
  }
  return problems;
}

function joinPaths(base: string | string[] | undefined, own: string | string[] | undefined): string[] {
  const bases = Array.isArray(base) ? base : [base ?? ''];
  const owns = Array.isArray(own) ? own : [own ?? ''];
  const out: string[] = [];
  for (const b of bases) {
    for (const o of owns) {
      const joined = `/${[b, o].join('/')}`.replace(/\/+/g, '/');
      out.push(joined.length > 1 && joined.endsWith('/') ? joined.slice(0, -1) : joined);
    }
  }
  return out;
}
