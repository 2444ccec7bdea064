import { bearerToken, tenantFromHost } from './request-credentials';

describe('tenantFromHost', () => {
  it.each([
    ['support.localhost:3000', 'localhost', 'support'],
    ['support.localhost', 'localhost', 'support'],
    ['Support.LocalHost:3000', 'localhost', 'support'],
    ['support.localhost.:3000', 'localhost', 'support'],
    ['fort-smith-live.events.example.com', 'events.example.com', 'fort-smith-live'],
  ])('%s under %s → %s', (host, base, tenant) => expect(tenantFromHost(host, base)).toBe(tenant));

  it.each([
    [undefined, 'localhost'],
    ['localhost:3000', 'localhost'],
    ['a.b.localhost:3000', 'localhost'],
    ['support.example.com', 'localhost'],
    ['supportlocalhost', 'localhost'],
    ['127.0.0.1:3000', 'localhost'],
    ['[::1]:3000', 'localhost'],
    ['-bad.localhost', 'localhost'],
    ['under_score.localhost', 'localhost'],
  ])('%s under %s names no tenant', (host, base) => expect(tenantFromHost(host, base)).toBeUndefined());
});

describe('bearerToken', () => {
  it('reads the token of a Bearer header, any case of the scheme', () => {
    expect(bearerToken('Bearer mc_live_x')).toBe('mc_live_x');
    expect(bearerToken('bearer mc_live_x')).toBe('mc_live_x');
  });

  it.each([
    undefined,
    '',
    'Bearer',
    'Bearer ',
    'Basic abc',
    'Bearer a b',
    'Token abc',
    ['Bearer a', 'Bearer b'],
  ])('refuses %j', (header) => expect(bearerToken(header)).toBeUndefined());
});
