/**
 * What an endpoint may subscribe to, checked against the public taxonomy when it is
 * registered or changed, so a typo is refused up front instead of becoming an endpoint
 * that silently never receives anything: event patterns (exact types, `post.*`-style
 * wildcards, `*`) and payload filters (a dotted path that some subscribed type's JSON
 * Schema has, leading to a scalar, compared to a scalar value).
 */
import { PUBLIC_TYPES, publicEventSchemas } from '@herald/contracts';
import type { FieldProblem } from '@herald/platform';
import type { EndpointFilters } from '../endpoint';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

export const MAX_FILTERS = 20;
const MAX_PATH_LENGTH = 200;
const MAX_VALUE_LENGTH = 500;
const PATTERN_SHAPE = /^([a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*(\.\*)?|\*)$/;

/** Every pattern `events` accepts: `*`, each public type and each `prefix.*` above one, sorted. */
export const EVENT_PATTERNS: readonly string[] = [
  '*',
  ...[
    ...new Set(
      PUBLIC_TYPES.flatMap((t) => {
        const parts = t.split('.');
        return [t, ...parts.slice(0, -1).map((_, i) => `${parts.slice(0, i + 1).join('.')}.*`)];
      }),
    ),
  ].sort(),
];

/**
 * The value a filter path must equal, for the API document: a scalar. An OpenAPI 3.1 list
 * of types, which the 3.0 typings of @nestjs/swagger do not know.
 */
export const FILTER_VALUE = { type: ['string', 'number', 'boolean', 'null'] } as unknown as SchemaObject;

type Schema = Record<string, unknown>;
const SCHEMAS: Readonly<Record<string, Schema>> = publicEventSchemas();

/** The public types a pattern selects: itself, every type under a `prefix.*`, or all for `*`; empty when none. */
export function typesSelectedBy(pattern: string): string[] {
  if (pattern.length > 200 || !PATTERN_SHAPE.test(pattern)) return [];
  if (pattern === '*') return [...PUBLIC_TYPES];
  if (!pattern.endsWith('.*')) return (PUBLIC_TYPES as readonly string[]).includes(pattern) ? [pattern] : [];
  const prefix = pattern.slice(0, -1); // keeps the dot: `post.*` selects `post.…`, never `postal.…`
  return PUBLIC_TYPES.filter((t) => t.startsWith(prefix));
}

/** The patterns without repeats (first spelling kept), and a problem per pattern that selects nothing. */
export function checkEvents(events: readonly string[]): { events: string[]; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  if (events.length === 0) {
    problems.push({ field: 'events', reason: 'events must name at least one event type, wildcard or *' });
  }
  const unique = [...new Set(events)];
  events.forEach((pattern, i) => {
    if (typesSelectedBy(pattern).length === 0) {
      problems.push({
        field: `events[${i}]`,
        reason: `${JSON.stringify(pattern)} is not a public event type, a prefix wildcard that matches one (post.*), or *`,
      });
    }
  });
  return { events: unique, problems };
}

/** Every type the patterns select (each once). */
export function subscribedTypes(events: readonly string[]): string[] {
  return [...new Set(events.flatMap(typesSelectedBy))];
}

/**
 * Problems of `filters` for an endpoint subscribed to `types`. A path must reach a
 * scalar in the schema of at least one of them; a value must be a string, a finite
 * number, a boolean or null (filters compare for equality).
 */
export function checkFilters(filters: EndpointFilters, types: readonly string[]): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const entries = Object.entries(filters as Record<string, unknown>);
  if (entries.length > MAX_FILTERS) {
    problems.push({ field: 'filters', reason: `filters may have at most ${MAX_FILTERS} paths` });
  }
  for (const [path, value] of entries) {
    const field = `filters.${path}`;
    if (!isFilterValue(value)) {
      problems.push({ field, reason: 'a filter value must be a string, a number, a boolean or null' });
    }
    if (path.length === 0 || path.length > MAX_PATH_LENGTH || path.split('.').some((s) => s === '')) {
      problems.push({
        field,
        reason: 'a filter path is dotted field names into the event, e.g. data.forum_slug',
      });
    } else if (!types.some((t) => leafAt(SCHEMAS[t], path))) {
      problems.push({
        field,
        reason: `no subscribed event type has a field ${JSON.stringify(path)} (paths start at the event, e.g. data.forum_slug)`,
      });
    }
  }
  return problems;
}

function isFilterValue(v: unknown): boolean {
  if (v === null || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  return typeof v === 'string' && v.length <= MAX_VALUE_LENGTH;
}

/** Whether `path` leads through object properties of `schema` to a scalar (not an object or array). */
function leafAt(schema: Schema | undefined, path: string): boolean {
  let node: unknown = schema;
  for (const step of path.split('.')) {
    const props = isSchema(node) && isSchema(node.properties) ? node.properties : undefined;
    if (!props || !Object.prototype.hasOwnProperty.call(props, step)) return false;
    node = props[step];
  }
  if (!isSchema(node)) return false;
  const types = Array.isArray(node.type) ? (node.type as unknown[]) : [node.type];
  return !('properties' in node) && !types.includes('object') && !types.includes('array');
}

function isSchema(v: unknown): v is Schema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
