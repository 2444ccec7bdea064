import { accessProblems, RouteAccess } from './public-routes';

const route = (patch: Partial<RouteAccess>): RouteAccess => ({
  method: 'GET',
  path: '/api/v1/events',
  handler: 'ListEventsController.list',
  public: true,
  scopes: ['events:read'],
  cached: false,
  ...patch,
});

describe('accessProblems', () => {
  it('accepts public routes with known scopes and private routes elsewhere', () => {
    expect(
      accessProblems([route({}), route({ path: '/internal/v1/events', public: false, scopes: [] })]),
    ).toEqual([]);
  });

  it('names a public route without scopes', () => {
    expect(accessProblems([route({ scopes: [] })])).toEqual([
      'public route GET /api/v1/events (ListEventsController.list) declares no @RequireScopes(...)',
    ]);
  });

  it('names a public route with an unknown scope', () => {
    expect(accessProblems([route({ scopes: ['events:write'] })])[0]).toContain('requires an unknown scope');
  });

  it('names a route under /api/v1 that is not public (it would be served without a key)', () => {
    expect(accessProblems([route({ public: false, scopes: [] })])).toEqual([
      'route GET /api/v1/events (ListEventsController.list) is under /api/v1 but not marked @PublicApi()',
    ]);
    expect(accessProblems([route({ path: '/api/v1', public: false })])).toHaveLength(1);
    expect(accessProblems([route({ path: '/api/v10/x', public: false })])).toEqual([]);
  });

  it('refuses @CachedRead() anywhere but on a public GET', () => {
    expect(accessProblems([route({ cached: true })])).toEqual([]);
    expect(accessProblems([route({ cached: true, method: 'POST' })])[0]).toContain(
      'is @CachedRead() but not a public GET',
    );
    expect(accessProblems([route({ cached: true, public: false, path: '/internal/v1/x' })])[0]).toContain(
      'is @CachedRead() but not a public GET',
    );
  });
});
