// Renders libs/client/src/generated/catalogue.ts: the internal event catalogue's JSON
// Schemas and limits, copied out of libs/contracts so the client package (and its ingest
// fake) validates exactly as Herald's ingest does without depending on Herald.
'use strict';
const path = require('node:path');
const { tsType } = require('./typescript');

/** The keywords the fake's validator evaluates; anything else in a schema stops generation. */
const SUPPORTED = new Set([
  '$schema',
  '$id',
  'title',
  'description',
  'type',
  'required',
  'properties',
  'additionalProperties',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'enum',
]);

function assertSupported(schema, where) {
  if (typeof schema !== 'object' || schema === null) return;
  for (const [k, v] of Object.entries(schema)) {
    if (!SUPPORTED.has(k))
      throw new Error(`${where} uses ${k}, which the client's validator does not evaluate`);
    if (k === 'properties') for (const [p, s] of Object.entries(v)) assertSupported(s, `${where}.${p}`);
    if (k === 'additionalProperties') assertSupported(v, `${where}.additionalProperties`);
  }
}

function renderCatalogue(root, banner) {
  const contracts = require(path.join(root, 'libs/contracts/src'));
  const { MAX_EVENTS_PER_REQUEST } = require(path.join(root, 'libs/commands/src/append/event-appender'));
  const envelope = contracts.internalEnvelopeSchema();
  assertSupported(envelope, 'the internal envelope');
  const kinds = {};
  for (const spec of contracts.KIND_SPECS) {
    const schema = contracts.internalDataSchema(spec);
    assertSupported(schema, spec.kind);
    const datetimes = Object.entries(spec.fields)
      .filter(([, f]) => f.type.t === 'datetime-or-null')
      .map(([name]) => name);
    kinds[spec.kind] = { publicType: spec.publicType, schema, datetimeFields: datetimes };
  }
  const noRef = () => {
    throw new Error('catalogue schemas have no $ref');
  };
  let out = `${banner}
import type { JsonSchema } from '../fake/json-schema';

/** At most this many events per \`append\` call (more is a 413 \`too_many_events\`). */
export const MAX_EVENTS_PER_REQUEST = ${MAX_EVENTS_PER_REQUEST};

/** Deepest nesting of arrays and objects an event may have. */
export const MAX_JSON_DEPTH = ${contracts.MAX_JSON_DEPTH};

/** The envelope every internal event has, whatever its kind. */
export const INTERNAL_ENVELOPE_SCHEMA: JsonSchema = ${JSON.stringify(envelope, null, 2)};

/** Kinds Herald accepts and never publishes. */
export const INTERNAL_ONLY_KINDS = ${JSON.stringify(contracts.INTERNAL_ONLY_KINDS)} as const;

export interface KindEntry {
  publicType: string;
  schema: JsonSchema;
  /** Fields that must be an RFC 3339 time or null. */
  datetimeFields: readonly string[];
}

/** Every published internal kind: its public type and the JSON Schema of its \`data\`. */
export const PUBLISHED_KINDS: Record<PublishedKind, KindEntry> = ${JSON.stringify(kinds, null, 2)};

/** The required \`data\` of each published kind (producers may add more fields). */
export interface InternalEventData {
${Object.entries(kinds)
  .map(([kind, k]) => `  ${JSON.stringify(kind)}: ${tsType(k.schema, noRef, '  ')};`)
  .join('\n')}
}

export type PublishedKind = ${Object.keys(kinds)
    .map((k) => JSON.stringify(k))
    .join(' | ')};
export type InternalOnlyKind = (typeof INTERNAL_ONLY_KINDS)[number];
`;
  return out;
}

module.exports = { renderCatalogue };
