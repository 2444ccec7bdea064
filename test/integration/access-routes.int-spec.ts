/**
 * Every public route declares its scopes: the real GatewayModule's routes are
 * enumerated and checked against DESIGN.md §6, and an application with a public
 * route that declares none (or an unmarked route under /api/v1) refuses to boot.
 */
import { Controller, Get, Module } from '@nestjs/common';
import { AccessModule, PublicRoutes } from '@herald/access';
import type { Type } from '@nestjs/common';
import { createLogger, createRolesApp, PublicApi, RequireScopes } from '@herald/platform';
import { GatewayModule } from '../../apps/gateway/src/gateway.module';
import { startTestApp, testConfig } from '../support/app';

/** DESIGN.md §6, with path parameters written `:param`. */
const CONTRACT: Record<string, string> = {
  'GET /api/v1/events': 'events:read',
  'GET /api/v1/events/:param': 'events:read',
  'GET /api/v1/users': 'users:read',
  'GET /api/v1/users/:param': 'users:read',
  'GET /api/v1/posts': 'posts:read',
  'GET /api/v1/posts/:param': 'posts:read',
  'GET /api/v1/webhooks': 'webhooks:read',
  'POST /api/v1/webhooks': 'webhooks:manage',
  'GET /api/v1/webhooks/:param': 'webhooks:read',
  'PATCH /api/v1/webhooks/:param': 'webhooks:manage',
  'DELETE /api/v1/webhooks/:param': 'webhooks:manage',
  'GET /api/v1/webhooks/:param/deliveries': 'webhooks:read',
  'POST /api/v1/webhooks/:param/test': 'webhooks:manage',
  'POST /api/v1/webhooks/:param/rotate-secret': 'webhooks:manage',
  'POST /api/v1/webhooks/deliveries/:param/replay': 'webhooks:manage',
  'GET /api/v1/keys': 'keys:read',
  'POST /api/v1/keys': 'keys:manage',
  'GET /api/v1/keys/:param': 'keys:read',
  'GET /api/v1/keys/:param/usage': 'keys:read',
  'POST /api/v1/keys/:param/revoke': 'keys:manage',
  'GET /api/v1/clients': 'keys:read',
  'POST /api/v1/clients': 'keys:manage',
  'GET /api/v1/clients/:param': 'keys:read',
  'GET /api/v1/clients/:param/usage': 'keys:read',
  'POST /api/v1/clients/:param/revoke': 'keys:manage',
  'GET /api/v1/webhooks/deliveries/:param/payload': 'webhooks:read',
  'GET /api/v1/webhooks/health': 'webhooks:read',
  'GET /api/v1/webhooks/:param/stats': 'webhooks:read',
  'GET /api/v1/audit-log': 'audit:read',
  'GET /api/v1/settings': 'settings:read',
  'PATCH /api/v1/settings': 'settings:manage',
};

@PublicApi()
@Controller('api/v1/unscoped')
class UnscopedController {
  @Get()
  open(): string {
    return 'served open';
  }
}

@Controller('api/v1/unmarked')
class UnmarkedController {
  @Get()
  @RequireScopes('events:read')
  open(): string {
    return 'served without a key';
  }
}

@Module({ controllers: [UnscopedController] })
class UnscopedModule {}

@Module({ controllers: [UnmarkedController] })
class UnmarkedModule {}

/** The message the boot fails with (the application is closed again either way). */
async function bootFailure(roles: Array<Type<unknown>>): Promise<string | undefined> {
  const config = testConfig();
  const app = await createRolesApp(roles, config, createLogger({ level: config.logLevel }));
  try {
    await app.init();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  } finally {
    await app.close();
  }
}

describe('public routes', () => {
  it('of the real gateway each declare the scopes DESIGN.md §6 gives them', async () => {
    const t = await startTestApp([GatewayModule]);
    try {
      const routes = t.app.get(PublicRoutes).all();
      const api = routes.filter((r) => r.path.startsWith('/api/v1/') || r.path === '/api/v1');
      expect(api.length).toBeGreaterThan(0);
      for (const r of api) {
        const signature = `${r.method} ${r.path.replace(/:[A-Za-z0-9_]+/g, ':param')}`;
        expect({ route: `${signature} (${r.handler})`, public: r.public, scopes: r.scopes }).toEqual({
          route: `${signature} (${r.handler})`,
          public: true,
          scopes: CONTRACT[signature] ? [CONTRACT[signature]] : expect.arrayContaining([expect.any(String)]),
        });
      }
      // Nothing public hides outside /api/v1 either.
      for (const r of routes.filter((x) => x.public)) expect(r.scopes.length).toBeGreaterThan(0);
    } finally {
      await t.close();
    }
  });

  it('refuse to boot when a public route declares no scopes', async () => {
    expect(await bootFailure([AccessModule, UnscopedModule])).toBe(
      'refusing to start: public route GET /api/v1/unscoped (UnscopedController.open) declares no @RequireScopes(...)',
    );
  });

  it('refuse to boot when a route under /api/v1 is not marked public', async () => {
    expect(await bootFailure([AccessModule, UnmarkedModule])).toBe(
      'refusing to start: route GET /api/v1/unmarked (UnmarkedController.open) is under /api/v1 but not marked @PublicApi()',
    );
  });
});
