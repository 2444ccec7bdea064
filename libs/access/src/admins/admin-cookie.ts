/**
 * The admin session cookie and the browser-side checks that go with it: the cookie is
 * httpOnly, SameSite=Strict, Path=/ and Secure outside development; a request that presents
 * it from a page of another origin (the `Origin` header, when sent) is refused.
 */
export const ADMIN_SESSION_COOKIE = 'herald_admin_session';
export const CSRF_HEADER = 'x-csrf-token';

/** The value of cookie `name` in a `Cookie` header, or undefined. */
export function readCookie(header: string | string[] | undefined, name: string): string | undefined {
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function sessionCookie(token: string, opts: { maxAgeSeconds: number; secure: boolean }): string {
  return [
    `${ADMIN_SESSION_COOKIE}=${token}`,
    'Path=/',
    `Max-Age=${Math.max(0, Math.floor(opts.maxAgeSeconds))}`,
    'HttpOnly',
    'SameSite=Strict',
    ...(opts.secure ? ['Secure'] : []),
  ].join('; ');
}

export function clearedSessionCookie(opts: { secure: boolean }): string {
  return sessionCookie('', { maxAgeSeconds: 0, secure: opts.secure });
}

/** True when there is no `Origin` header, or it names the very host the request was sent to. */
export function originMatchesHost(origin: string | string[] | undefined, host: string | undefined): boolean {
  if (origin === undefined) return true;
  if (typeof origin !== 'string' || !host) return false;
  try {
    const o = new URL(origin);
    if (o.protocol !== 'http:' && o.protocol !== 'https:') return false;
    return o.host === new URL(`${o.protocol}//${host}`).host;
  } catch {
    return false;
  }
}

export function isSafeMethod(method: string): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
}
