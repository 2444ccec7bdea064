/**
 * The parts of the document every public operation shares (DESIGN.md §6): the bearer
 * key scheme, the success and error envelopes, the error codes, and the response
 * headers (X-Request-Id, RateLimit-*, Retry-After).
 */
import { BAD_REQUEST, ErrorCode } from '../http/error-codes';
import type { JsonObject } from './json';

export const SECURITY_SCHEME = 'ApiKey';
export const REQUEST_ID_EXAMPLE = 'req_4f1c2b7e9a0d4c83b6e5f2a1d9c8b7a6';

export const ref = (kind: string, name: string): JsonObject => ({ $ref: `#/components/${kind}/${name}` });

export function securitySchemes(): JsonObject {
  return {
    [SECURITY_SCHEME]: {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'mc_live_… or mc_test_…',
      description:
        'An API key of the tenant named by the `Host`, sent as `Authorization: Bearer <key>`. ' +
        "Keys are looked up within the request's tenant only; a key of another tenant is " +
        '`invalid_api_key`. Each operation lists the scopes the key must hold.',
    },
  };
}

export function envelopeSchemas(codes: readonly ErrorCode[]): JsonObject {
  return {
    Meta: {
      type: 'object',
      description: 'Present on every response, success or error.',
      required: ['request_id'],
      properties: {
        request_id: {
          type: 'string',
          description: 'Same value as the `X-Request-Id` response header; quote it when reporting a problem.',
          examples: [REQUEST_ID_EXAMPLE],
        },
      },
    },
    ListMeta: {
      type: 'object',
      description: 'The `meta` of a list page.',
      required: ['request_id', 'next_cursor', 'has_more'],
      properties: {
        request_id: { type: 'string', examples: [REQUEST_ID_EXAMPLE] },
        next_cursor: {
          type: ['string', 'null'],
          description:
            'Pass as `cursor` to get the next page. In oldest-first order the last page still ' +
            'returns one, so a poller keeps it and later asks for what came since.',
        },
        has_more: { type: 'boolean', description: 'Whether more items exist right now after this page.' },
      },
    },
    ErrorCode: {
      type: 'string',
      description: 'Stable, snake_case; branch on it, not on the message.',
      enum: codes.map((c) => c.code),
    },
    FieldProblem: {
      type: 'object',
      required: ['field', 'reason'],
      properties: {
        field: { type: 'string', description: 'Path of the field, e.g. `limit` or `author.id`.' },
        reason: { type: 'string' },
      },
    },
    Error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: ref('schemas', 'ErrorCode'),
        message: { type: 'string', description: 'For humans; may change at any time.' },
        details: {
          description:
            'Structured context when there is some; for `bad_request`, the list of fields at fault.',
          anyOf: [{ type: 'array', items: ref('schemas', 'FieldProblem') }, { type: 'object' }],
        },
      },
    },
    ErrorEnvelope: {
      type: 'object',
      required: ['error', 'meta'],
      properties: { error: ref('schemas', 'Error'), meta: ref('schemas', 'Meta') },
    },
  };
}

export function responseHeaders(): JsonObject {
  const integer = (description: string): JsonObject => ({
    description,
    schema: { type: 'integer', minimum: 0 },
  });
  return {
    'X-Request-Id': {
      description:
        'Identifies the request in the logs: the client’s own `X-Request-Id` when it is sane ' +
        '(1–128 of `A-Za-z0-9._:@-`), otherwise one minted by the server.',
      schema: { type: 'string' },
    },
    'RateLimit-Limit': integer('Requests the key may make in the current window.'),
    'RateLimit-Remaining': integer('Requests left in the current window.'),
    'RateLimit-Reset': integer('Seconds until the window resets.'),
    'Retry-After': integer('Seconds to wait before retrying.'),
  };
}

/** Headers every response carries; `Retry-After` only on 429. */
export function headersFor(status: string): JsonObject {
  const out: JsonObject = {
    'X-Request-Id': ref('headers', 'X-Request-Id'),
    'RateLimit-Limit': ref('headers', 'RateLimit-Limit'),
    'RateLimit-Remaining': ref('headers', 'RateLimit-Remaining'),
    'RateLimit-Reset': ref('headers', 'RateLimit-Reset'),
  };
  if (status === '429') out['Retry-After'] = ref('headers', 'Retry-After');
  return out;
}

/** One example envelope per error code, referenced from each operation that can answer it. */
export function errorExamples(codes: readonly ErrorCode[]): JsonObject {
  const out: JsonObject = {};
  for (const c of codes) {
    out[c.code] = {
      summary: `${c.status} ${c.code}`,
      value: {
        error: {
          code: c.code,
          message: c.description,
          ...(c === BAD_REQUEST
            ? { details: [{ field: 'limit', reason: 'limit must not be greater than 100' }] }
            : {}),
        },
        meta: { request_id: REQUEST_ID_EXAMPLE },
      },
    };
  }
  return out;
}
