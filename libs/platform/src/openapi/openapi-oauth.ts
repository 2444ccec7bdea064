/**
 * The OAuth2 side of the document: the `OAuth2` client credentials scheme every public
 * operation accepts beside the bearer key, and `POST /oauth/token`, written here by hand
 * because it answers in RFC 6749's shapes rather than the envelope.
 */
import type { Scope } from '@herald/contracts';
import {
  ErrorCode,
  HEADERS_TOO_LARGE,
  HTTPS_REQUIRED,
  INTERNAL_ERROR,
  INVALID_JSON,
  PAYLOAD_TOO_LARGE,
  REQUEST_TIMEOUT,
  SERVICE_UNAVAILABLE,
  TENANT_NOT_FOUND,
  UNSUPPORTED_MEDIA_TYPE,
} from '../http/error-codes';
import { OAUTH_ERROR_CODES } from '../http/oauth-error-codes';
import type { JsonObject } from './json';
import { headersFor, ref } from './openapi-components';

export const OAUTH_SCHEME = 'OAuth2';
export const OAUTH_CLIENT_BASIC_SCHEME = 'OAuthClientBasic';
export const TOKEN_PATH = '/oauth/token';

/** What each scope grants, as the OAuth2 scheme lists them. */
const SCOPE_DESCRIPTIONS: Record<Scope, string> = {
  'events:read': 'Read the event log.',
  'users:read': 'Read the users read model.',
  'posts:read': 'Read the posts read model.',
  'webhooks:read': 'Read webhook endpoints, their deliveries and health.',
  'webhooks:manage': 'Register, change, delete, test, rotate and replay webhook endpoints.',
  'keys:read': 'Read the API keys and OAuth clients, and their usage.',
  'keys:manage': 'Create and revoke API keys and OAuth clients.',
  'audit:read': 'Read the audit log.',
  'settings:read': 'Read the tenant settings.',
  'settings:manage': 'Change the tenant settings.',
};

export function oauthSecuritySchemes(): JsonObject {
  return {
    [OAUTH_SCHEME]: {
      type: 'oauth2',
      description:
        'An access token from `POST /oauth/token` (client credentials, RFC 6749 §4.4), sent as ' +
        '`Authorization: Bearer <token>`. Tokens are short-lived and bound to the tenant of the ' +
        '`Host` they were issued on; an expired, revoked or foreign token is `invalid_token`.',
      flows: { clientCredentials: { tokenUrl: TOKEN_PATH, scopes: { ...SCOPE_DESCRIPTIONS } } },
    },
    [OAUTH_CLIENT_BASIC_SCHEME]: {
      type: 'http',
      scheme: 'basic',
      description:
        'OAuth client authentication at the token endpoint (`client_secret_basic`): the client id ' +
        'and secret, form-encoded, as the HTTP Basic user and password.',
    },
  };
}

export function oauthSchemas(): JsonObject {
  return {
    TokenRequest: {
      type: 'object',
      required: ['grant_type'],
      description:
        'Unknown parameters are ignored; each parameter at most once. Authenticate the client with ' +
        'HTTP Basic or with `client_id` and `client_secret` here (`client_secret_post`), not both.',
      properties: {
        grant_type: { type: 'string', enum: ['client_credentials'] },
        scope: {
          type: 'string',
          description: "Space-separated scopes, a subset of the client's; all of them when absent.",
          examples: ['events:read users:read'],
        },
        client_id: { type: 'string', examples: ['client_01JG5K8HW2X4A8Q3M1T6KQ7BWP'] },
        client_secret: {
          type: 'string',
          description: 'The `mc_cs_…` secret shown when the client was created.',
        },
      },
    },
    TokenResponse: {
      type: 'object',
      required: ['access_token', 'token_type', 'expires_in', 'scope'],
      properties: {
        access_token: { type: 'string', pattern: '^mc_at_[A-Za-z0-9_-]{43}$' },
        token_type: { type: 'string', enum: ['Bearer'] },
        expires_in: { type: 'integer', minimum: 1, description: 'Seconds the token is valid for.' },
        scope: { type: 'string', description: 'The granted scopes, space-separated.' },
      },
    },
    OAuthError: {
      type: 'object',
      required: ['error', 'error_description'],
      description: 'An error of the token endpoint (RFC 6749 §5.2).',
      properties: {
        error: { type: 'string', enum: OAUTH_ERROR_CODES.map((c) => c.code) },
        error_description: { type: 'string', description: 'For humans; may change at any time.' },
      },
    },
  };
}

/** The token endpoint's path item, and the envelope codes its document part refers to. */
export function tokenPath(): { item: JsonObject; codes: ErrorCode[] } {
  const envelopeCodes = [
    INVALID_JSON,
    HTTPS_REQUIRED,
    TENANT_NOT_FOUND,
    REQUEST_TIMEOUT,
    PAYLOAD_TOO_LARGE,
    UNSUPPORTED_MEDIA_TYPE,
    HEADERS_TOO_LARGE,
    INTERNAL_ERROR,
    SERVICE_UNAVAILABLE,
  ];
  const noStore = {
    'Cache-Control': { description: 'Always `no-store`.', schema: { type: 'string' } },
    Pragma: { description: 'Always `no-cache`.', schema: { type: 'string' } },
  };
  const responses: JsonObject = {
    '200': {
      description: 'The access token.',
      headers: { ...headersFor('200'), ...noStore },
      content: { 'application/json': { schema: ref('schemas', 'TokenResponse') } },
    },
  };
  const byStatus = new Map<number, { oauth: ErrorCode[]; envelope: ErrorCode[] }>();
  const group = (status: number) => {
    const g = byStatus.get(status) ?? { oauth: [], envelope: [] };
    byStatus.set(status, g);
    return g;
  };
  for (const c of OAUTH_ERROR_CODES) group(c.status).oauth.push(c);
  for (const c of envelopeCodes) group(c.status).envelope.push(c);
  for (const [status, g] of [...byStatus.entries()].sort(([x], [y]) => x - y)) {
    const lines = [...g.oauth, ...g.envelope].map((c) => `- \`${c.code}\`: ${c.description}`).join('\n');
    const headers: JsonObject = { 'X-Request-Id': ref('headers', 'X-Request-Id') };
    if (g.oauth.length > 0) Object.assign(headers, noStore);
    if (status === 401) {
      headers['WWW-Authenticate'] = {
        description:
          '`Basic realm="herald", charset="UTF-8"` when the client authenticated with HTTP Basic or not at all.',
        schema: { type: 'string' },
      };
    }
    if (status === 429) Object.assign(headers, headersFor('429'));
    const schemas = [
      ...(g.oauth.length > 0 ? [ref('schemas', 'OAuthError')] : []),
      ...(g.envelope.length > 0 ? [ref('schemas', 'ErrorEnvelope')] : []),
    ];
    responses[String(status)] = {
      description: lines,
      headers,
      content: { 'application/json': { schema: schemas.length === 1 ? schemas[0]! : { oneOf: schemas } } },
    };
  }
  return {
    item: {
      post: {
        operationId: 'requestToken',
        tags: ['OAuth'],
        summary: 'Request an access token',
        description:
          'The client credentials grant (RFC 6749 §4.4) for the tenant of the `Host`. The token is ' +
          'accepted wherever an API key is, with the scopes granted here. Each client id may make 60 ' +
          'token requests a minute and a tenant 600; errors are RFC 6749 §5.2 bodies, except those ' +
          'answered before the endpoint runs (unknown tenant, body too large or not a form), which ' +
          'are envelopes.',
        security: [{ [OAUTH_CLIENT_BASIC_SCHEME]: [] }, {}],
        requestBody: {
          required: true,
          content: { 'application/x-www-form-urlencoded': { schema: ref('schemas', 'TokenRequest') } },
        },
        responses,
      },
    },
    codes: envelopeCodes,
  };
}
