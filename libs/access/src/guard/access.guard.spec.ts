import { Controller, ExecutionContext, Get } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { loadConfig, PublicApi, RequireScopes, TenantDirectory } from '@herald/platform';
import type { AdminSessionGate } from '../admins/admin-session-gate';
import type { KeyCache } from '../key-cache/key-cache';
import { MemoryRateLimiter } from '../rate-limit/memory-rate-limiter';
import { AccessGuard, UnscopedPublicRouteError } from './access.guard';

@PublicApi()
@Controller('api/v1/things')
class ThingsController {
  @Get()
  @RequireScopes('events:read')
  scoped(): string {
    return 'ok';
  }

  @Get('open')
  unscoped(): string {
    return 'served open';
  }
}

@Controller('internal')
class InternalController {
  @Get()
  internal(): string {
    return 'ok';
  }
}

function contextFor(
  cls: object,
  handler: (...args: never[]) => unknown,
  headers: Record<string, string> = {},
): ExecutionContext {
  const req = { host: 'a.localhost:3000', headers };
  return {
    getType: () => 'http',
    getClass: () => cls,
    getHandler: () => handler,
    switchToHttp: () => ({ getRequest: () => req, getResponse: () => ({ header: () => undefined }) }),
  } as unknown as ExecutionContext;
}

describe('AccessGuard', () => {
  const lookups: string[] = [];
  const tokenLookups: string[] = [];
  const guard = new AccessGuard(
    new Reflector(),
    loadConfig({}, { projectRoot: '/srv/herald' }),
    { exists: async () => true } as unknown as TenantDirectory,
    {
      get: async (tenant: string) => {
        lookups.push(tenant);
        return { tenantEnabled: true, key: null };
      },
    } as unknown as KeyCache,
    {
      peek: () => undefined,
      get: async (tenant: string) => {
        tokenLookups.push(tenant);
        return { tenantEnabled: true, key: null };
      },
    } as unknown as KeyCache,
    new MemoryRateLimiter(),
    {} as AdminSessionGate,
  );

  it('lets routes that are not public through untouched', async () => {
    await expect(
      guard.canActivate(contextFor(InternalController, InternalController.prototype.internal)),
    ).resolves.toBe(true);
  });

  it('refuses a public route that declares no scopes, before looking at any key', async () => {
    await expect(
      guard.canActivate(contextFor(ThingsController, ThingsController.prototype.unscoped)),
    ).rejects.toThrow(UnscopedPublicRouteError);
    expect(lookups).toEqual([]);
  });

  it('asks a scoped public route for a key', async () => {
    await expect(
      guard.canActivate(contextFor(ThingsController, ThingsController.prototype.scoped)),
    ).rejects.toMatchObject({ code: 'invalid_api_key', status: 401 });
  });

  it('looks an access token up in the tokens’ cache and refuses an unknown one as invalid_token', async () => {
    const token = `mc_at_${'A'.repeat(43)}`;
    await expect(
      guard.canActivate(
        contextFor(ThingsController, ThingsController.prototype.scoped, { authorization: `Bearer ${token}` }),
      ),
    ).rejects.toMatchObject({ code: 'invalid_token', status: 401 });
    expect(tokenLookups).toEqual(['a']);
    expect(lookups).toEqual([]);
  });
});
