/**
 * Reading a token request (RFC 6749 §4.4.2, §2.3.1): the form parameters, each at most
 * once, and the client's credentials from HTTP Basic (`client_secret_basic`) or from the
 * body (`client_secret_post`), never both. Pure, so every refusal is unit-tested.
 */
import { isScope, Scope, unsafeTextReason } from '@herald/contracts';
import {
  OAUTH_INVALID_CLIENT,
  OAUTH_INVALID_REQUEST,
  OAUTH_INVALID_SCOPE,
  OAUTH_UNSUPPORTED_GRANT_TYPE,
} from '@herald/platform';
import { OAuthError } from './oauth-errors';

export const CLIENT_CREDENTIALS = 'client_credentials';
const PARAMETERS = ['grant_type', 'scope', 'client_id', 'client_secret'] as const;
type Parameter = (typeof PARAMETERS)[number];

export interface TokenRequest {
  clientId: string;
  clientSecret: string;
  /** How the client authenticated: decides the `WWW-Authenticate` challenge of a refusal. */
  method: 'client_secret_basic' | 'client_secret_post';
  /** The requested scopes; undefined when `scope` was absent or empty (all the client's). */
  scopes: Scope[] | undefined;
}

/**
 * `form` is the raw `application/x-www-form-urlencoded` body (undefined when the request
 * had another media type or none); `authorization` the header as sent.
 */
export function readTokenRequest(form: string | undefined, header: string | undefined): TokenRequest {
  // An empty header is no header.
  const authorization = header?.trim() ? header : undefined;
  const basic = authorization !== undefined && /^basic\s/i.test(authorization);
  if (form === undefined) {
    throw new OAuthError(OAUTH_INVALID_REQUEST, 'the body must be application/x-www-form-urlencoded', basic);
  }
  const params = readForm(form, basic);
  const grantType = params.get('grant_type');
  if (grantType === undefined) throw new OAuthError(OAUTH_INVALID_REQUEST, 'grant_type is required', basic);
  if (grantType !== CLIENT_CREDENTIALS) {
    throw new OAuthError(OAUTH_UNSUPPORTED_GRANT_TYPE, `grant_type must be ${CLIENT_CREDENTIALS}`, basic);
  }
  const inBody = params.has('client_id') || params.has('client_secret');
  let clientId: string;
  let clientSecret: string;
  if (authorization !== undefined) {
    if (!basic) {
      throw new OAuthError(
        OAUTH_INVALID_CLIENT,
        'client authentication must use HTTP Basic or the body',
        true,
      );
    }
    if (inBody) {
      throw new OAuthError(
        OAUTH_INVALID_REQUEST,
        'use one client authentication method: HTTP Basic or client_id and client_secret in the body',
        true,
      );
    }
    [clientId, clientSecret] = readBasic(authorization);
  } else {
    const id = params.get('client_id');
    const secret = params.get('client_secret');
    if (id === undefined || secret === undefined) {
      throw new OAuthError(
        OAUTH_INVALID_CLIENT,
        'client authentication is required: HTTP Basic, or client_id and client_secret in the body',
        true,
      );
    }
    [clientId, clientSecret] = [id, secret];
  }
  return {
    clientId,
    clientSecret,
    method: basic ? 'client_secret_basic' : 'client_secret_post',
    scopes: readScope(params.get('scope'), basic),
  };
}

/** The scopes to grant: the requested ones when the client holds them all, else `invalid_scope`. */
export function grantedScopes(requested: readonly Scope[] | undefined, held: readonly Scope[]): Scope[] {
  if (requested === undefined) return [...held];
  const missing = requested.filter((s) => !held.includes(s));
  if (missing.length > 0) {
    throw new OAuthError(OAUTH_INVALID_SCOPE, `the client does not hold ${missing.join(' ')}`);
  }
  return [...requested];
}

function readForm(form: string, basic: boolean): Map<Parameter, string> {
  const params = new Map<Parameter, string>();
  const seen = new Set<string>();
  let parsed: URLSearchParams;
  try {
    parsed = new URLSearchParams(form);
  } catch {
    throw new OAuthError(OAUTH_INVALID_REQUEST, 'the body is not a valid form', basic);
  }
  for (const [name, value] of parsed) {
    if (seen.has(name)) throw new OAuthError(OAUTH_INVALID_REQUEST, `${name} is given more than once`, basic);
    seen.add(name);
    // Unknown parameters are ignored (RFC 6749 §3.2); NUL or lone surrogates are not text.
    if ((PARAMETERS as readonly string[]).includes(name)) {
      if (unsafeTextReason(value) !== undefined) {
        throw new OAuthError(OAUTH_INVALID_REQUEST, `${name} is not valid text`, basic);
      }
      params.set(name as Parameter, value);
    }
  }
  return params;
}

/** `Basic base64(urlencode(id) ":" urlencode(secret))` (RFC 6749 §2.3.1). */
function readBasic(authorization: string): [string, string] {
  const refused = new OAuthError(OAUTH_INVALID_CLIENT, 'the HTTP Basic credentials are malformed', true);
  const encoded = authorization.replace(/^basic\s+/i, '').trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) throw refused;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const sep = decoded.indexOf(':');
  if (sep < 0) throw refused;
  try {
    return [formDecode(decoded.slice(0, sep)), formDecode(decoded.slice(sep + 1))];
  } catch {
    throw refused;
  }
}

function formDecode(s: string): string {
  return decodeURIComponent(s.replace(/\+/g, ' '));
}

function readScope(raw: string | undefined, basic: boolean): Scope[] | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const names = [...new Set(raw.split(' ').filter((s) => s !== ''))];
  const unknown = names.filter((s) => !isScope(s));
  if (unknown.length > 0) {
    throw new OAuthError(OAUTH_INVALID_SCOPE, `unknown scope ${unknown.join(' ')}`, basic);
  }
  return names as Scope[];
}
