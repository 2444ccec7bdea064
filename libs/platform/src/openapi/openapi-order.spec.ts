import type { JsonObject } from './json';
import { canonicalDocument, pruneUnused } from './openapi-order';

describe('document order and tidiness', () => {
  it('drops components nothing reachable refers to, following refs transitively', () => {
    const doc: JsonObject = {
      paths: { '/a': { get: { responses: { '200': { $ref: '#/components/responses/Ok' } } } } },
      components: {
        responses: {
          Ok: {
            description: 'ok',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/A' } } },
          },
        },
        schemas: {
          A: {
            oneOf: [{ $ref: '#/components/schemas/B' }],
            discriminator: { propertyName: 't', mapping: { c: '#/components/schemas/C' } },
          },
          B: { type: 'string' },
          C: { type: 'object' },
          Orphan: { type: 'object', properties: { b: { $ref: '#/components/schemas/B' } } },
        },
        examples: { unused: { value: 1 } },
        securitySchemes: { ApiKey: { type: 'http', scheme: 'bearer' } },
      },
    };
    pruneUnused(doc);
    const c = doc.components as JsonObject;
    expect(Object.keys(c.schemas as JsonObject).sort()).toEqual(['A', 'B', 'C']);
    expect(c.examples).toBeUndefined();
    expect(c.securitySchemes).toBeDefined();
  });

  it('orders keys and sorts maps without meaningful order, whatever the input order', () => {
    const a = canonicalDocument({
      components: { schemas: { Zed: {}, Alpha: {} } },
      paths: {
        '/b': {
          post: { responses: { default: {}, '404': {}, '200': {} }, operationId: 'b' },
          get: { operationId: 'g' },
        },
        '/a': {},
      },
      info: { title: 't', version: '1' },
      openapi: '3.1.0',
    });
    expect(Object.keys(a)).toEqual(['openapi', 'info', 'paths', 'components']);
    expect(Object.keys(a.paths as JsonObject)).toEqual(['/a', '/b']);
    const b = (a.paths as JsonObject)['/b'] as JsonObject;
    expect(Object.keys(b)).toEqual(['get', 'post']);
    expect(Object.keys((b.post as JsonObject).responses as JsonObject)).toEqual(['200', '404', 'default']);
    expect(Object.keys((a.components as JsonObject).schemas as JsonObject)).toEqual(['Alpha', 'Zed']);
  });
});
