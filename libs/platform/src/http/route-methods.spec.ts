import { RouteMethods } from './route-methods';

describe('RouteMethods', () => {
  const routes = new RouteMethods({});
  routes.add('GET', '/api/v1/events');
  routes.add('HEAD', '/api/v1/events');
  routes.add('GET', '/api/v1/webhooks/:id');
  routes.add('PATCH', '/api/v1/webhooks/:id');
  routes.add('delete', '/api/v1/webhooks/:id');
  routes.add('POST', '/api/v1/webhooks/:id/test');
  routes.add('GET', '/api/v1/webhooks/:id'); // registering twice is harmless
  routes.add('GET', '/api/v1/webhooks/health');
  routes.add('HEAD', '/api/v1/webhooks/health');

  it('lists the methods a concrete path answers to, sorted, ignoring the query', () => {
    expect(routes.allowed('/api/v1/events?limit=5')).toEqual(['GET', 'HEAD']);
    expect(routes.allowed('/api/v1/webhooks/wh_1')).toEqual(['DELETE', 'GET', 'PATCH']);
    expect(routes.allowed('/api/v1/webhooks/wh_1/test')).toEqual(['POST']);
  });

  it('gives a path named literally the methods of its own routes only', () => {
    expect(routes.allowed('/api/v1/webhooks/health')).toEqual(['GET', 'HEAD']);
    expect(routes.shadowed('PATCH', '/api/v1/webhooks/health')).toBe(true);
    expect(routes.shadowed('delete', '/api/v1/webhooks/health?x=1')).toBe(true);
    expect(routes.shadowed('GET', '/api/v1/webhooks/health')).toBe(false);
    // A path no route names literally is the parameter routes' own.
    expect(routes.shadowed('PATCH', '/api/v1/webhooks/wh_1')).toBe(false);
    expect(routes.shadowed('POST', '/api/v1/nothing')).toBe(false);
  });

  it('knows no methods for a path no route matches', () => {
    expect(routes.allowed('/api/v1/nothing')).toEqual([]);
    expect(routes.allowed('/api/v1/webhooks/wh_1/test/extra')).toEqual([]);
  });

  it('matches like the router it mirrors (case and trailing slash)', () => {
    expect(routes.allowed('/API/v1/events')).toEqual([]);
    expect(routes.allowed('/api/v1/events/')).toEqual([]);
    const lenient = new RouteMethods({ ignoreTrailingSlash: true });
    lenient.add('GET', '/a');
    expect(lenient.allowed('/a/')).toEqual(['GET']);
  });
});
