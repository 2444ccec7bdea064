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

  it('lists the methods a concrete path answers to, sorted, ignoring the query', () => {
    expect(routes.allowed('/api/v1/events?limit=5')).toEqual(['GET', 'HEAD']);
    expect(routes.allowed('/api/v1/webhooks/wh_1')).toEqual(['DELETE', 'GET', 'PATCH']);
    expect(routes.allowed('/api/v1/webhooks/wh_1/test')).toEqual(['POST']);
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
