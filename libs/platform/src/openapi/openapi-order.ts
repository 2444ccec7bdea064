/**
 * Determinism and tidiness of the document: components nobody refers to are dropped, and
 * every map whose order carries no meaning is sorted, so the same code always serializes
 * to the same bytes whatever order modules were scanned in.
 */
import { isObject, Json, JsonObject } from './json';

const TOP = [
  'openapi',
  'info',
  'jsonSchemaDialect',
  'servers',
  'security',
  'tags',
  'paths',
  'webhooks',
  'components',
];
const COMPONENTS = [
  'schemas',
  'responses',
  'parameters',
  'examples',
  'requestBodies',
  'headers',
  'securitySchemes',
];
const PATH_ITEM = [
  'summary',
  'description',
  'parameters',
  'get',
  'put',
  'post',
  'patch',
  'delete',
  'options',
  'head',
  'trace',
];
const OPERATION = [
  'operationId',
  'summary',
  'description',
  'tags',
  'security',
  'parameters',
  'requestBody',
  'responses',
  'callbacks',
  'deprecated',
];

/** Removes components (other than security schemes) that nothing reachable refers to. */
export function pruneUnused(doc: JsonObject): void {
  const components = isObject(doc.components) ? doc.components : {};
  const reached = new Set<string>();
  const queue: Json[] = [doc.paths ?? null, doc.webhooks ?? null];
  while (queue.length > 0) {
    const node = queue.pop();
    for (const target of refsIn(node ?? null)) {
      if (reached.has(target)) continue;
      reached.add(target);
      const [, , kind, name] = target.split('/');
      const section = kind ? components[kind] : undefined;
      if (isObject(section) && name !== undefined) queue.push(section[decodePointer(name)] ?? null);
    }
  }
  for (const kind of COMPONENTS) {
    if (kind === 'securitySchemes') continue;
    const section = components[kind];
    if (!isObject(section)) continue;
    for (const name of Object.keys(section)) {
      if (!reached.has(`#/components/${kind}/${encodePointer(name)}`)) delete section[name];
    }
    if (Object.keys(section).length === 0) delete components[kind];
  }
}

function refsIn(node: Json): string[] {
  const out: string[] = [];
  const walk = (n: Json | undefined): void => {
    if (Array.isArray(n)) n.forEach(walk);
    else if (isObject(n)) {
      for (const [k, v] of Object.entries(n)) {
        if (k === '$ref' && typeof v === 'string') out.push(v);
        // A discriminator mapping names schemas by pointer, not $ref.
        else if (k === 'mapping' && isObject(v)) {
          for (const m of Object.values(v)) if (typeof m === 'string') out.push(m);
        } else walk(v);
      }
    }
  };
  walk(node);
  return out;
}

const encodePointer = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');
const decodePointer = (s: string): string => s.replace(/~1/g, '/').replace(/~0/g, '~');

export function canonicalDocument(doc: JsonObject): JsonObject {
  const out = ordered(doc, TOP);
  if (isObject(out.paths)) out.paths = sortedMap(out.paths, (item) => orderPathItem(item));
  if (isObject(out.webhooks)) out.webhooks = mapValues(out.webhooks, (item) => orderPathItem(item));
  if (isObject(out.components)) {
    const c = ordered(out.components, COMPONENTS);
    for (const kind of COMPONENTS) if (isObject(c[kind])) c[kind] = sortedMap(c[kind], (v) => v);
    out.components = c;
  }
  return out;
}

function orderPathItem(item: Json): Json {
  if (!isObject(item)) return item;
  const out = ordered(item, PATH_ITEM);
  for (const [k, v] of Object.entries(out)) {
    if (isObject(v) && PATH_ITEM.indexOf(k) >= 3) {
      const op = ordered(v, OPERATION);
      if (isObject(op.responses)) op.responses = sortedMap(op.responses, (r) => r, compareStatus);
      out[k] = op;
    }
  }
  return out;
}

/** The listed keys first, in that order, then the rest in their current order. */
function ordered(obj: JsonObject, first: readonly string[]): JsonObject {
  const out: JsonObject = {};
  for (const k of first) if (obj[k] !== undefined) out[k] = obj[k];
  for (const [k, v] of Object.entries(obj)) if (!(k in out) && v !== undefined) out[k] = v;
  return out;
}

function sortedMap(
  obj: JsonObject,
  fn: (v: Json) => Json,
  compare: (a: string, b: string) => number = (a, b) => (a < b ? -1 : a > b ? 1 : 0),
): JsonObject {
  const out: JsonObject = {};
  for (const k of Object.keys(obj).sort(compare)) {
    const v = obj[k];
    if (v !== undefined) out[k] = fn(v);
  }
  return out;
}

function mapValues(obj: JsonObject, fn: (v: Json) => Json): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) out[k] = fn(v);
  return out;
}

/** `200` < `201` < `2XX` < `400` < … < `default`. */
function compareStatus(a: string, b: string): number {
  const rank = (s: string): string => (s === 'default' ? '999' : s.replace(/X/g, '9'));
  return rank(a) < rank(b) ? -1 : rank(a) > rank(b) ? 1 : a < b ? -1 : a > b ? 1 : 0;
}
