import { clearedSessionCookie, originMatchesHost, readCookie, sessionCookie } from './admin-cookie';

describe('admin session cookie', () => {
  it('reads one cookie among others', () => {
    expect(readCookie('a=1; herald_admin_session=tok; b=2', 'herald_admin_session')).toBe('tok');
    expect(readCookie('herald_admin_session_x=1', 'herald_admin_session')).toBeUndefined();
    expect(readCookie(undefined, 'herald_admin_session')).toBeUndefined();
  });

  it('is httpOnly, SameSite=Strict, Path=/ and Secure when asked', () => {
    expect(sessionCookie('tok', { maxAgeSeconds: 60, secure: true })).toBe(
      'herald_admin_session=tok; Path=/; Max-Age=60; HttpOnly; SameSite=Strict; Secure',
    );
    expect(sessionCookie('tok', { maxAgeSeconds: 60, secure: false })).not.toContain('Secure');
    expect(clearedSessionCookie({ secure: false })).toBe(
      'herald_admin_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict',
    );
  });

  it.each([
    [undefined, 'a.localhost:3000', true],
    ['http://a.localhost:3000', 'a.localhost:3000', true],
    ['https://a.example.com', 'a.example.com:443', true],
    ['http://b.localhost:3000', 'a.localhost:3000', false],
    ['http://a.localhost:3001', 'a.localhost:3000', false],
    ['null', 'a.localhost:3000', false],
    ['http://a.localhost:3000', undefined, false],
  ])('origin %s on host %s: %s', (origin, host, ok) => {
    expect(originMatchesHost(origin, host)).toBe(ok);
  });
});
