import { ErrorCode } from '../http/error-codes';
import type { JsonObject } from './json';
import { describePublicOperations } from './openapi-operations';
import { handlerKey, PublicHandler } from './public-handlers';

const EVENT_NOT_FOUND = new ErrorCode('event_not_found', 404, 'No event with this id in the tenant.');

function scanned(): JsonObject {
  return {
    '/api/v1/events': {
      get: {
        operationId: handlerKey('ListEventsHttpController', 'listEvents'),
        parameters: [{ name: 'cursor', in: 'query', schema: { type: 'string' } }],
        responses: {
          '200': {
            description: '',
            content: { 'application/json': { schema: { type: 'array', items: {} } } },
          },
        },
      },
    },
    '/api/v1/events/{id}': {
      get: {
        operationId: handlerKey('GetEventHttpController', 'getEvent'),
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '200': { description: '' } },
      },
    },
    '/internal/v1/events': {
      post: { operationId: handlerKey('IngestEventsController', 'ingest'), responses: {} },
    },
  };
}

const handlers = new Map<string, PublicHandler>([
  [
    handlerKey('ListEventsHttpController', 'listEvents'),
    { controller: 'ListEventsHttpController', method: 'listEvents', scopes: ['events:read'], errors: [] },
  ],
  [
    handlerKey('GetEventHttpController', 'getEvent'),
    {
      controller: 'GetEventHttpController',
      method: 'getEvent',
      scopes: ['events:read'],
      errors: [EVENT_NOT_FOUND],
    },
  ],
]);

describe('public operations', () => {
  const paths = scanned();
  const used = describePublicOperations(paths, handlers);
  const list = (paths['/api/v1/events'] as JsonObject).get as JsonObject;
  const one = (paths['/api/v1/events/{id}'] as JsonObject).get as JsonObject;
  const responses = (op: JsonObject) => op.responses as Record<string, JsonObject>;
  const examples = (op: JsonObject, status: string) =>
    Object.keys(
      ((responses(op)[status]!.content as JsonObject)['application/json'] as JsonObject)
        .examples as JsonObject,
    );

  it('keeps only public handlers and names operations after them', () => {
    expect(Object.keys(paths)).toEqual(['/api/v1/events', '/api/v1/events/{id}']);
    expect([list.operationId, one.operationId]).toEqual(['listEvents', 'getEvent']);
    expect(list.tags).toEqual(['Events']);
    expect(list.summary).toBe('List events');
  });

  it('requires the bearer key or an OAuth token with the handler’s scopes', () => {
    expect(list.security).toEqual([{ ApiKey: ['events:read'] }, { OAuth2: ['events:read'] }]);
    expect(list.description).toContain('`events:read`');
  });

  it('wraps the result: a list gets the list meta, one item the plain meta', () => {
    const schemaOf = (op: JsonObject) =>
      ((responses(op)['200']!.content as JsonObject)['application/json'] as JsonObject).schema as JsonObject;
    expect(schemaOf(list)).toEqual({
      type: 'object',
      required: ['data', 'meta'],
      properties: { data: { type: 'array', items: {} }, meta: { $ref: '#/components/schemas/ListMeta' } },
    });
    expect((schemaOf(one).properties as JsonObject).meta).toEqual({ $ref: '#/components/schemas/Meta' });
  });

  it('documents shared errors, invalid_cursor for cursor lists and the route’s own codes', () => {
    expect(examples(list, '400')).toEqual(['bad_request', 'invalid_cursor']);
    expect(examples(one, '400')).toEqual(['bad_request']);
    expect(examples(one, '404')).toEqual(['tenant_not_found', 'event_not_found']);
    expect(examples(list, '403')).toEqual(['insufficient_scope', 'https_required']);
    expect(Object.keys(responses(list))).toEqual([
      '200',
      '400',
      '401',
      '403',
      '404',
      '408',
      '429',
      '431',
      '500',
      '503',
    ]);
    // 414 only where the path has a parameter to be too long.
    expect(examples(one, '414')).toEqual(['uri_too_long']);
    expect(used.map((c) => c.code)).toContain('event_not_found');
  });

  it('puts the request id and rate-limit headers on every response, Retry-After on 429', () => {
    for (const res of Object.values(responses(list))) {
      expect(Object.keys(res.headers as JsonObject)).toEqual(
        expect.arrayContaining(['X-Request-Id', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset']),
      );
    }
    expect((responses(list)['429']!.headers as JsonObject)['Retry-After']).toEqual({
      $ref: '#/components/headers/Retry-After',
    });
  });

  it('disambiguates a handler name two controllers share', () => {
    const p: JsonObject = {
      '/api/v1/users': { get: { operationId: handlerKey('ListUsersHttpController', 'list'), responses: {} } },
      '/api/v1/posts': { get: { operationId: handlerKey('ListPostsHttpController', 'list'), responses: {} } },
    };
    const h = new Map<string, PublicHandler>(
      ['ListUsersHttpController', 'ListPostsHttpController'].map((c) => [
        handlerKey(c, 'list'),
        { controller: c, method: 'list', scopes: ['users:read'], errors: [] },
      ]),
    );
    describePublicOperations(p, h);
    const id = (path: string) => ((p[path] as JsonObject).get as JsonObject).operationId;
    expect([id('/api/v1/users'), id('/api/v1/posts')]).toEqual(['listUsersList', 'listPostsList']);
  });
});
