/**
 * @nestjs/swagger describes schemas the OpenAPI 3.0 way. OpenAPI 3.1 uses JSON Schema
 * 2020-12, where `nullable` does not exist and `example` is deprecated; this rewrites
 * those idioms so the document is valid 3.1 rather than 3.0 with a new version number.
 */
import { isObject, Json, JsonObject, objects } from './json';

const SCHEMA_MAPS = ['properties', 'patternProperties', '$defs'] as const;
const SCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf', 'prefixItems'] as const;
const SCHEMA_SLOTS = ['items', 'additionalProperties', 'not', 'contains', 'if', 'then', 'else'] as const;

/** Rewrites every schema of the document in place. */
export function upgradeSchemasTo31(doc: JsonObject): void {
  const components = doc.components;
  if (isObject(components)) {
    forEachValue(components.schemas, upgradeSchema);
    forEachValue(components.parameters, upgradeHolder);
    forEachValue(components.headers, upgradeHolder);
    forEachValue(components.requestBodies, upgradeHolder);
    forEachValue(components.responses, upgradeResponse);
  }
  for (const section of [doc.paths, doc.webhooks]) {
    forEachValue(section, (item) => {
      for (const p of objects(item.parameters)) upgradeHolder(p);
      for (const op of Object.values(item)) {
        if (!isObject(op)) continue;
        for (const p of objects(op.parameters)) upgradeHolder(p);
        if (isObject(op.requestBody)) upgradeHolder(op.requestBody);
        forEachValue(op.responses, upgradeResponse);
      }
    });
  }
}

function upgradeResponse(res: JsonObject): void {
  upgradeHolder(res);
  forEachValue(res.headers, upgradeHolder);
}

/** A parameter, header or body: its own `schema` and those of its `content`. */
function upgradeHolder(holder: JsonObject): void {
  if (isObject(holder.schema)) upgradeSchema(holder.schema);
  forEachValue(holder.content, (media) => {
    if (isObject(media.schema)) upgradeSchema(media.schema);
  });
}

export function upgradeSchema(schema: JsonObject): void {
  for (const key of SCHEMA_MAPS) forEachValue(schema[key], upgradeSchema);
  for (const key of SCHEMA_LISTS) for (const s of objects(schema[key])) upgradeSchema(s);
  for (const key of SCHEMA_SLOTS) {
    const s = schema[key];
    if (isObject(s)) upgradeSchema(s);
  }
  if ('example' in schema) {
    const example = schema.example;
    delete schema.example;
    if (example !== undefined && !('examples' in schema)) schema.examples = [example];
  }
  for (const bound of ['exclusiveMinimum', 'exclusiveMaximum'] as const) {
    const limit = bound === 'exclusiveMinimum' ? 'minimum' : 'maximum';
    if (schema[bound] === true && typeof schema[limit] === 'number') {
      schema[bound] = schema[limit];
      delete schema[limit];
    } else if (schema[bound] === false) {
      delete schema[bound];
    }
  }
  if ('nullable' in schema) {
    const nullable = schema.nullable === true;
    delete schema.nullable;
    if (nullable) allowNull(schema);
  }
}

function allowNull(schema: JsonObject): void {
  const composed = ['$ref', 'allOf', 'anyOf', 'oneOf'].some((k) => k in schema);
  if (composed) {
    // A $ref or a composition: keep it whole and offer null beside it. A type list would
    // not do: null still fails the referenced schema. (swagger adds `type: object` to a
    // nullable $ref, which would contradict the null branch.)
    if (schema.type === 'object') delete schema.type;
    const whole: JsonObject = {};
    for (const [k, v] of Object.entries(schema)) {
      if (k === 'description' || k === 'title' || v === undefined) continue;
      whole[k] = v;
      delete schema[k];
    }
    const only = Object.keys(whole).length === 1 ? objects(whole.allOf) : [];
    schema.anyOf = [only.length === 1 && only[0] ? only[0] : whole, { type: 'null' }];
    return;
  }
  const type = schema.type;
  if (typeof type === 'string') schema.type = [type, 'null'];
  else if (Array.isArray(type) && !type.includes('null')) schema.type = [...type, 'null'];
  if (Array.isArray(schema.enum) && !schema.enum.includes(null)) schema.enum = [...schema.enum, null];
}

function forEachValue(map: Json | undefined, fn: (v: JsonObject) => void): void {
  if (!isObject(map)) return;
  for (const v of Object.values(map)) if (isObject(v)) fn(v);
}
