/**
 * JSON Schemas (draft 2020-12) generated from the catalog: one per internal kind (the
 * envelope plus its required data) and one per public type (the whole public event).
 * Same catalog in, byte-identical schemas out.
 */
import { KIND_SPECS, KindSpec, WEBHOOK_TEST_TYPE } from './catalog';
import { fieldSchema, RFC3339 } from './fields';

const DRAFT = 'https://json-schema.org/draft/2020-12/schema';
export const SCHEMA_BASE = 'https://schemas.herald.dev';

export const INTERNAL_ID_PATTERN =
  '^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25})$';
export const TENANT_PATTERN = '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$';
export const PUBLIC_ID_PATTERN = '^evt_[0-7][0-9A-HJKMNP-TV-Z]{25}$';
export const PUBLIC_TIME_PATTERN = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{6}Z$';

export type JsonSchema = Record<string, unknown>;

/** The internal event envelope, whatever the kind. */
export function internalEnvelopeSchema(): JsonSchema {
  return {
    $schema: DRAFT,
    $id: `${SCHEMA_BASE}/internal/envelope.json`,
    title: 'Internal event',
    type: 'object',
    required: ['id', 'tenant', 'kind', 'occurred_at', 'data'],
    properties: {
      id: { type: 'string', pattern: INTERNAL_ID_PATTERN, description: 'UUID or ULID, unique per fact' },
      tenant: { type: 'string', pattern: TENANT_PATTERN },
      kind: { type: 'string', minLength: 1, maxLength: 100 },
      occurred_at: { type: 'string', pattern: RFC3339 },
      data: { type: 'object' },
    },
    additionalProperties: false,
  };
}

export function internalDataSchema(spec: KindSpec): JsonSchema {
  const properties: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(spec.fields)) {
    properties[name] = field.internal
      ? { ...fieldSchema(field.type), description: 'internal: never published' }
      : fieldSchema(field.type);
  }
  return {
    $schema: DRAFT,
    $id: `${SCHEMA_BASE}/internal/${spec.kind}.json`,
    title: `${spec.kind} data`,
    type: 'object',
    required: Object.keys(spec.fields),
    properties,
    additionalProperties: true,
  };
}

function publicEnvelope(type: string, data: JsonSchema, description: string): JsonSchema {
  return {
    $schema: DRAFT,
    $id: `${SCHEMA_BASE}/public/${type}.json`,
    title: type,
    description,
    type: 'object',
    required: ['id', 'type', 'created_at', 'data'],
    properties: {
      id: {
        type: 'string',
        pattern: PUBLIC_ID_PATTERN,
        description: '`evt_` + ULID, deterministic per fact',
      },
      type: { const: type },
      created_at: {
        type: 'string',
        pattern: PUBLIC_TIME_PATTERN,
        description: 'RFC 3339 UTC, six fractional digits',
      },
      data,
    },
    additionalProperties: false,
  };
}

export function publicEventSchema(spec: KindSpec): JsonSchema {
  return publicEnvelope(spec.publicType, spec.publicData, `Published when \`${spec.kind}\` happens.`);
}

export function webhookTestSchema(): JsonSchema {
  return publicEnvelope(
    WEBHOOK_TEST_TYPE,
    {
      type: 'object',
      required: ['endpoint_id', 'message'],
      properties: { endpoint_id: { type: 'string' }, message: { type: 'string' } },
      // Whatever `data` the test request sent comes beside the two fields.
      additionalProperties: true,
    },
    'Sent by "Send test event", with the fields of the request\'s `data` besides these two; never stored in ' +
      'the events read model.',
  );
}

/** Every public event schema, keyed by public type, in catalog order. */
export function publicEventSchemas(): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  for (const spec of KIND_SPECS) out[spec.publicType] = publicEventSchema(spec);
  out[WEBHOOK_TEST_TYPE] = webhookTestSchema();
  return out;
}
