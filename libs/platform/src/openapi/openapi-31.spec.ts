import type { JsonObject } from './json';
import { upgradeSchema, upgradeSchemasTo31 } from './openapi-31';

const up = (schema: JsonObject): JsonObject => {
  upgradeSchema(schema);
  return schema;
};

describe('OpenAPI 3.0 → 3.1 schema idioms', () => {
  it('turns nullable into a type list (and null into the enum)', () => {
    expect(up({ type: 'string', nullable: true })).toEqual({ type: ['string', 'null'] });
    expect(up({ type: 'string', enum: ['a', 'b'], nullable: true })).toEqual({
      type: ['string', 'null'],
      enum: ['a', 'b', null],
    });
    expect(up({ type: 'integer', nullable: false })).toEqual({ type: 'integer' });
  });

  it('keeps a nullable $ref whole and offers null beside it', () => {
    expect(up({ $ref: '#/components/schemas/Author', nullable: true, description: 'who wrote it' })).toEqual({
      description: 'who wrote it',
      anyOf: [{ $ref: '#/components/schemas/Author' }, { type: 'null' }],
    });
  });

  it('unwraps the allOf swagger puts around a nullable $ref', () => {
    expect(
      up({
        type: 'object',
        nullable: true,
        allOf: [{ $ref: '#/components/schemas/Author' }],
        description: 'd',
      }),
    ).toEqual({ description: 'd', anyOf: [{ $ref: '#/components/schemas/Author' }, { type: 'null' }] });
  });

  it('moves example to examples and numeric exclusive bounds', () => {
    expect(up({ type: 'number', example: 3, minimum: 0, exclusiveMinimum: true })).toEqual({
      type: 'number',
      examples: [3],
      exclusiveMinimum: 0,
    });
  });

  it('reaches nested schemas and every place a document holds one', () => {
    const doc: JsonObject = {
      components: {
        schemas: {
          Post: {
            type: 'object',
            properties: { tags: { type: 'array', items: { type: 'string', nullable: true } } },
          },
        },
      },
      paths: {
        '/a': {
          get: {
            parameters: [{ name: 'q', in: 'query', schema: { type: 'string', nullable: true } }],
            responses: {
              '200': {
                content: { 'application/json': { schema: { allOf: [{ type: 'object', nullable: true }] } } },
              },
            },
          },
        },
      },
    };
    upgradeSchemasTo31(doc);
    expect(JSON.stringify(doc)).not.toContain('nullable');
    expect(JSON.stringify(doc)).toContain('["string","null"]');
    expect(JSON.stringify(doc)).toContain('["object","null"]');
  });
});
