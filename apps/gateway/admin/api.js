// The admin console's one way to the server: same-origin fetch with the session cookie,
// the CSRF token on every request that changes something, the error envelope turned into
// an ApiError, and a 401 sent back to the login page.

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

let csrfToken = null;
let unauthenticated = () => {};

export class ApiError extends Error {
  constructor(status, code, message, details, retryAfterSeconds) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Called on any 401 of a request that expected a session. */
export function onUnauthenticated(handler) {
  unauthenticated = handler;
}

export function setCsrfToken(token) {
  csrfToken = token;
}

export async function request(method, path, body, { expectSession = true } = {}) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (!SAFE_METHODS.has(method) && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(
      0,
      'network_error',
      'The server could not be reached. Check your connection and try again.',
    );
  }
  let payload = null;
  try {
    payload = await res.json();
  } catch {
    payload = null;
  }
  if (!res.ok) {
    const error = payload && payload.error ? payload.error : {};
    const retry = Number(res.headers.get('retry-after'));
    const err = new ApiError(
      res.status,
      error.code || 'http_' + res.status,
      error.message || 'The request failed (HTTP ' + res.status + ').',
      error.details,
      Number.isFinite(retry) && retry > 0 ? retry : undefined,
    );
    if (res.status === 401 && expectSession) unauthenticated(err);
    throw err;
  }
  return payload ? { data: payload.data, meta: payload.meta } : { data: null, meta: {} };
}

export const api = {
  get: (path) => request('GET', path),
  post: (path, body) => request('POST', path, body ?? {}),
  patch: (path, body) => request('PATCH', path, body ?? {}),
  del: (path) => request('DELETE', path),
};

/** The current session, or null when there is none (no redirect: the caller decides). */
export async function currentSession() {
  try {
    const { data } = await request('GET', '/admin/api/session', undefined, { expectSession: false });
    setCsrfToken(data.csrf_token);
    return data;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
}

export async function login(email, password) {
  const { data } = await request('POST', '/admin/api/session', { email, password }, { expectSession: false });
  setCsrfToken(data.csrf_token);
  return data;
}

export async function logout() {
  try {
    await request('DELETE', '/admin/api/session', undefined, { expectSession: false });
  } finally {
    setCsrfToken(null);
  }
}
