/**
 * The access guard of the public API, registered globally; it acts on routes marked
 * `@PublicApi()` and lets every other route through untouched. In order: the tenant
 * from the Host (404), the key within that tenant (401), the rate limit (429, and the
 * RateLimit-* headers on every later response), the route's scopes (403). A public
 * route that declares no scopes is refused, never served open.
 *
 * An OAuth access token (`mc_at_…`, from `POST /oauth/token`) is taken wherever a key is:
 * looked up in its own cache, within the tenant only, it stands for its client, whose id
 * the rate limit, usage and cache invalidation go by; refused as `invalid_token`.
 *
 * A request with no Authorization header but an admin console session cookie is admitted
 * as that admin (admins/admin-session-gate.ts: live session of the Host's tenant, Origin,
 * CSRF token on writes) with every scope there is, rate-limited per session and metered
 * against no key.
 */
import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { SCOPES, type Scope } from '@herald/contracts';
import {
  ApiCaller,
  HERALD_CONFIG,
  HeraldConfig,
  PUBLIC_API,
  REQUIRED_SCOPES,
  setApiCaller,
  TenantDirectory,
} from '@herald/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { adminActor } from '../admins/admin';
import { AdminSessionGate } from '../admins/admin-session-gate';
import { hashApiKey, isWellFormedApiKey } from '../keys/api-key-secret';
import { DEFAULT_RATE_LIMIT_PER_MINUTE } from '../keys/api-keys.repository';
import { KeyCache } from '../key-cache/key-cache';
import { OAUTH_TOKEN_CACHE } from '../oauth/oauth-token-cache';
import { isWellFormedAccessToken } from '../oauth/oauth-secret';
import type { KeyRecord } from '../keys/api-key';
import { RATE_LIMITER, RateDecision, RateLimiter } from '../rate-limit/rate-limit';
import { markUsage } from '../usage/usage-mark';
import {
  insufficientScope,
  invalidApiKey,
  invalidToken,
  tenantNotFound,
  tooManyRequests,
} from './access-errors';
import { bearerToken, tenantFromHost } from './request-credentials';

export class UnscopedPublicRouteError extends Error {
  constructor(route: string) {
    super(`public route ${route} declares no @RequireScopes(...): refused rather than served open`);
    this.name = 'UnscopedPublicRouteError';
  }
}

@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    private readonly tenants: TenantDirectory,
    private readonly keys: KeyCache,
    @Inject(OAUTH_TOKEN_CACHE) private readonly tokens: KeyCache,
    @Inject(RATE_LIMITER) private readonly limiter: RateLimiter,
    private readonly adminSessions: AdminSessionGate,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean | undefined>(PUBLIC_API, targets) !== true) return true;
    const required = this.reflector.getAllAndOverride<Scope[] | undefined>(REQUIRED_SCOPES, targets);
    if (!required || required.length === 0) {
      throw new UnscopedPublicRouteError(`${context.getClass().name}.${context.getHandler().name}`);
    }

    const http = context.switchToHttp();
    const req = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();

    const tenant = tenantFromHost(req.host, this.config.baseDomain);
    if (!tenant) throw tenantNotFound();
    if (req.headers.authorization === undefined && AdminSessionGate.tokenOf(req) !== undefined) {
      return this.admitAdminSession(req, reply, tenant);
    }
    const presented = presentedCredential(req);
    const cache = presented?.kind === 'token' ? this.tokens : this.keys;
    // A cached entry proves the tenant too (disabling a tenant drops its entries).
    let lookup = presented && cache.peek(tenant, presented.hash);
    if (!presented || !lookup) {
      if (!(await this.tenants.exists(tenant))) throw tenantNotFound();
      if (!presented) throw this.unauthorized(reply, 'key');
      lookup = await cache.get(tenant, presented.hash);
    }
    if (!lookup.tenantEnabled) throw tenantNotFound();
    const key = lookup.key;
    if (!isUsable(key)) throw this.unauthorized(reply, presented.kind);
    markUsage(req, { tenant, keyId: key.id, kind: presented.kind });

    const rate = await this.consume(tenant, key);
    setRateHeaders(reply, rate);
    if (!rate.allowed) {
      void reply.header('retry-after', rate.retryAfterSeconds);
      throw tooManyRequests(rate, presented.kind);
    }

    const missing = required.filter((s) => !key.scopes.includes(s));
    if (missing.length > 0) throw insufficientScope(required, missing, presented.kind);

    setApiCaller(req, callerOf(tenant, presented.kind, key));
    return true;
  }

  /** An admin console session: every scope, its own rate limit, no key usage. */
  private async admitAdminSession(
    req: FastifyRequest,
    reply: FastifyReply,
    tenant: string,
  ): Promise<boolean> {
    if (!(await this.tenants.exists(tenant))) throw tenantNotFound();
    const session = await this.adminSessions.admit(req, tenant);
    const rate = await this.limiter.consume(
      { tenant, id: `admin_session:${session.handle}` },
      {
        perMinute: DEFAULT_RATE_LIMIT_PER_MINUTE,
        daily: null,
      },
    );
    setRateHeaders(reply, rate);
    if (!rate.allowed) {
      void reply.header('retry-after', rate.retryAfterSeconds);
      throw tooManyRequests(rate, 'session');
    }
    setApiCaller(req, { tenant, actor: adminActor(session.email), keyId: null, scopes: SCOPES });
    return true;
  }

  /**
   * The guard's decision for a request the read cache could answer, taken from cached
   * state alone. True when the guard would admit it, with the same effects (usage mark,
   * rate-limit count and headers, caller). False, with no effect at all, whenever the
   * guard would need the database or would refuse: such a request then goes the normal
   * way and gets the guard's exact answer. (A refused rate-limit check is not counted.)
   */
  async admitFromCache(
    req: FastifyRequest,
    reply: FastifyReply,
    tenant: string,
    required: readonly Scope[],
  ): Promise<boolean> {
    const presented = presentedCredential(req);
    const cache = presented?.kind === 'token' ? this.tokens : this.keys;
    const lookup = presented && cache.peek(tenant, presented.hash);
    const key = lookup && lookup.tenantEnabled ? lookup.key : null;
    if (!presented || !isUsable(key) || !required.every((s) => key.scopes.includes(s))) return false;
    const rate = await this.consume(tenant, key);
    if (!rate.allowed) return false;
    markUsage(req, { tenant, keyId: key.id, kind: presented.kind });
    setRateHeaders(reply, rate);
    setApiCaller(req, callerOf(tenant, presented.kind, key));
    return true;
  }

  private consume(tenant: string, key: KeyRecord): Promise<RateDecision> {
    return this.limiter.consume(
      { tenant, id: key.id },
      { perMinute: key.ratePerMinute, daily: key.dailyQuota },
    );
  }

  private unauthorized(reply: FastifyReply, kind: CredentialKind): Error {
    if (kind === 'token') {
      void reply.header('www-authenticate', 'Bearer realm="herald", error="invalid_token"');
      return invalidToken();
    }
    void reply.header('www-authenticate', 'Bearer realm="herald"');
    return invalidApiKey();
  }
}

type CredentialKind = 'key' | 'token';

/** The SHA-256 of the bearer token and what it is, when it is shaped like a key or an access token. */
function presentedCredential(req: FastifyRequest): { kind: CredentialKind; hash: Buffer } | undefined {
  const presented = bearerToken(req.headers.authorization);
  if (!presented) return undefined;
  if (isWellFormedApiKey(presented)) return { kind: 'key', hash: hashApiKey(presented) };
  if (isWellFormedAccessToken(presented)) return { kind: 'token', hash: hashApiKey(presented) };
  return undefined;
}

/** A key acts as `key:<id>`; a token as its client, `client:<client id>`, metered by no key. */
function callerOf(tenant: string, kind: CredentialKind, key: KeyRecord): ApiCaller {
  return kind === 'token'
    ? { tenant, actor: `client:${key.id}`, keyId: null, scopes: key.scopes }
    : { tenant, actor: `key:${key.id}`, keyId: key.id, scopes: key.scopes };
}

/** Known, not revoked and not expired. */
function isUsable(key: KeyRecord | null): key is KeyRecord {
  return key !== null && !key.revoked && (key.expiresAt === null || key.expiresAt > Date.now());
}

function setRateHeaders(reply: FastifyReply, rate: RateDecision): void {
  void reply
    .header('ratelimit-limit', rate.limit)
    .header('ratelimit-remaining', rate.remaining)
    .header('ratelimit-reset', rate.resetSeconds);
}
