/**
 * How a public route declares itself. Controllers under `/api/v1` are marked
 * `@PublicApi()`; each handler names its scopes with `@RequireScopes(...)`. The access
 * guard (libs/access) reads this metadata; a public route without scopes is refused,
 * never served open.
 */
import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Scope } from '@herald/contracts';
import type { FastifyRequest } from 'fastify';
import { DIRECT_READ, DirectReadType } from './direct-read';

export const PUBLIC_API = 'herald:public-api';
export const REQUIRED_SCOPES = 'herald:required-scopes';
export const CACHED_READ = 'herald:cached-read';

/** Marks a controller (or handler) as part of the public, key-authenticated API. */
export const PublicApi = (): ClassDecorator & MethodDecorator => SetMetadata(PUBLIC_API, true);

/** The scopes a key must hold to call this handler (all of them). */
export const RequireScopes = (...scopes: [Scope, ...Scope[]]): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(REQUIRED_SCOPES, scopes));

/**
 * Marks a public GET handler whose 200 answer is a function of the tenant, the URL and
 * the read models alone (never of the key, the time or anything else). The gateway may
 * then answer a repeat of the same URL for the same tenant from memory, after the same
 * access checks, until the tenant's read models change (libs/access/src/read-cache).
 * `direct`, a provider, answers the reads the cache does not hold before Nest routes them
 * (see direct-read.ts).
 */
export const CachedRead = (direct?: DirectReadType): MethodDecorator =>
  direct
    ? applyDecorators(SetMetadata(CACHED_READ, true), SetMetadata(DIRECT_READ, direct))
    : SetMetadata(CACHED_READ, true);

/** What the access guard learned about the caller; set on the request before the handler runs. */
export interface ApiCaller {
  tenant: string;
  /**
   * Who is calling, for audit rows: `key:<id>` for an API key, `client:<client id>` for an
   * OAuth access token, `admin:<email>` for an admin session.
   */
  actor: string;
  /** The API key's id; null for an OAuth token or an admin console session, which no key meters. */
  keyId: string | null;
  scopes: readonly Scope[];
}

type RequestWithCaller = FastifyRequest & { heraldCaller?: ApiCaller };

export function setApiCaller(req: FastifyRequest, caller: ApiCaller): void {
  (req as RequestWithCaller).heraldCaller = caller;
}

export function apiCallerOf(req: FastifyRequest): ApiCaller | undefined {
  return (req as RequestWithCaller).heraldCaller;
}

/** Handler parameter: the authenticated caller (tenant, actor, key, scopes). */
export const Caller = createParamDecorator((_: unknown, ctx: ExecutionContext): ApiCaller => {
  const caller = apiCallerOf(ctx.switchToHttp().getRequest<FastifyRequest>());
  // The guard always sets it on public routes; reaching here without it is a wiring bug.
  if (!caller) throw new Error('public route reached without an authenticated caller');
  return caller;
});
