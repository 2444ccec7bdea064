/**
 * The subset of JSON Schema (2020-12) the internal event catalogue uses, evaluated in the
 * order Herald's validator (Ajv, first error only) evaluates it, so the first problem found —
 * and the sentence describing it — is the one Herald's ingest reports. The generator refuses
 * a catalogue schema with any keyword outside this subset.
 */
export interface JsonSchema {
  type?: string | string[];
  required?: string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  enum?: unknown[];
  [annotation: string]: unknown;
}

const patterns = new Map<string, RegExp>();
const regex = (p: string): RegExp => {
  let r = patterns.get(p);
  if (!r) patterns.set(p, (r = new RegExp(p, 'u')));
  return r;
};

function isType(t: string, v: unknown): boolean {
  switch (t) {
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    case 'array':
      return Array.isArray(v);
    case 'string':
      return typeof v === 'string';
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'integer':
      return typeof v === 'number' && Number.isFinite(v) && v % 1 === 0;
    case 'boolean':
      return typeof v === 'boolean';
    case 'null':
      return v === null;
    default:
      return false;
  }
}

const GROUP_KEYWORDS: Record<string, readonly string[]> = {
  number: ['maximum', 'minimum'],
  string: ['maxLength', 'minLength', 'pattern'],
  object: ['required', 'additionalProperties', 'properties'],
};

/** Text of a JSON pointer token as Ajv writes it into `instancePath`. */
const token = (k: string): string => k.replace(/~/g, '~0').replace(/\//g, '~1');

/** The first problem of `value` under `schema`, worded as Herald words it, or undefined. */
export function firstSchemaError(schema: JsonSchema, value: unknown, root: string): string | undefined {
  return check(schema, value, '', root);
}

function at(root: string, pointer: string): string {
  return `${root}${pointer.replace(/\//g, '.')}`;
}

function check(schema: JsonSchema, v: unknown, pointer: string, root: string): string | undefined {
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  const hasRules = (t: string | undefined) =>
    t !== undefined && (GROUP_KEYWORDS[t] ?? []).some((k) => schema[k] !== undefined);
  const typeUpFront = types.length > 0 && !(types.length === 1 && hasRules(types[0]));
  if (typeUpFront && !types.some((t) => isType(t, v)))
    return `${at(root, pointer)} must be ${types.join(',')}`;

  if (schema.enum !== undefined && !schema.enum.some((e) => e === v)) {
    return `${at(root, pointer)} must be one of ${schema.enum.join(', ')}`;
  }

  for (const group of ['number', 'string', 'object'] as const) {
    if (!hasRules(group)) continue;
    if (!isType(group, v)) {
      if (types.length === 1 && types[0] === group && !typeUpFront)
        return `${at(root, pointer)} must be ${group}`;
      continue;
    }
    const problem =
      group === 'number'
        ? checkNumber(schema, v as number, pointer, root)
        : group === 'string'
          ? checkString(schema, v as string, pointer, root)
          : checkObject(schema, v as Record<string, unknown>, pointer, root);
    if (problem) return problem;
  }
  return undefined;
}

function checkNumber(schema: JsonSchema, v: number, pointer: string, root: string): string | undefined {
  if (schema.maximum !== undefined && !(v <= schema.maximum))
    return `${at(root, pointer)} must be <= ${schema.maximum}`;
  if (schema.minimum !== undefined && !(v >= schema.minimum))
    return `${at(root, pointer)} must be >= ${schema.minimum}`;
  return undefined;
}

function checkString(schema: JsonSchema, v: string, pointer: string, root: string): string | undefined {
  // Lengths count code points, as Ajv's ucs2length does.
  const length = [...v].length;
  if (schema.maxLength !== undefined && length > schema.maxLength) {
    return `${at(root, pointer)} must NOT have more than ${schema.maxLength} characters`;
  }
  if (schema.minLength !== undefined && length < schema.minLength) {
    return `${at(root, pointer)} must NOT have fewer than ${schema.minLength} characters`;
  }
  if (schema.pattern !== undefined && !regex(schema.pattern).test(v))
    return `${at(root, pointer)} has an invalid format`;
  return undefined;
}

function checkObject(
  schema: JsonSchema,
  v: Record<string, unknown>,
  pointer: string,
  root: string,
): string | undefined {
  for (const name of schema.required ?? []) {
    if (v[name] === undefined) return `${at(root, pointer)}.${name} is required`;
  }
  const props = schema.properties ?? {};
  const extra = schema.additionalProperties;
  if (extra !== undefined && extra !== true) {
    for (const k of Object.keys(v)) {
      if (Object.prototype.hasOwnProperty.call(props, k)) continue;
      if (extra === false) return `${at(root, pointer)}.${k} is not allowed`;
      const problem = check(extra, v[k], `${pointer}/${token(k)}`, root);
      if (problem) return problem;
    }
  }
  for (const [name, sub] of Object.entries(props)) {
    if (v[name] === undefined) continue;
    const problem = check(sub, v[name], `${pointer}/${token(name)}`, root);
    if (problem) return problem;
  }
  return undefined;
}
