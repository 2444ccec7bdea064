// Renders the TypeScript client's generated half: a type per component schema, a query
// type per operation and one typed method per operation on GeneratedOperations.
'use strict';

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const key = (k) => (IDENT.test(k) ? k : JSON.stringify(k));

function doc(text, indent) {
  const lines = String(text).replace(/\*\//g, '*\\/').trim().split('\n');
  if (lines.length === 1) return `${indent}/** ${lines[0]} */\n`;
  return `${indent}/**\n${lines.map((l) => `${indent} *${l ? ` ${l}` : ''}`).join('\n')}\n${indent} */\n`;
}

const literal = (v) => JSON.stringify(v);
const wrap = (t) => (/[|&]/.test(t) && !/^[({[]/.test(t) ? `(${t})` : t);

/** The TypeScript type a JSON Schema (OpenAPI 3.1 dialect) describes. */
function tsType(schema, refName, indent = '') {
  if (schema === undefined || schema === true || schema === null) return 'unknown';
  if (schema === false) return 'never';
  if (schema.$ref) return refName(schema.$ref);
  if ('const' in schema) return literal(schema.const);
  if (Array.isArray(schema.enum)) return schema.enum.map(literal).join(' | ');
  const union = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(union)) return union.map((s) => wrap(tsType(s, refName, indent))).join(' | ');
  if (Array.isArray(schema.allOf))
    return schema.allOf.map((s) => wrap(tsType(s, refName, indent))).join(' & ');
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.length === 0) return schema.properties ? objectType(schema, refName, indent) : 'unknown';
  return types
    .map((t) => {
      switch (t) {
        case 'string':
          return 'string';
        case 'number':
        case 'integer':
          return 'number';
        case 'boolean':
          return 'boolean';
        case 'null':
          return 'null';
        case 'array':
          return `${wrap(tsType(schema.items, refName, indent))}[]`;
        case 'object':
          return objectType(schema, refName, indent);
        default:
          throw new Error(`unknown JSON Schema type ${t}`);
      }
    })
    .join(' | ');
}

function objectType(schema, refName, indent) {
  const props = Object.entries(schema.properties ?? {});
  const extra = schema.additionalProperties;
  if (props.length === 0) {
    return extra === undefined || extra === true || extra === false
      ? 'Record<string, unknown>'
      : `Record<string, ${tsType(extra, refName, indent)}>`;
  }
  const required = new Set(schema.required ?? []);
  const inner = `${indent}  `;
  let out = '{\n';
  for (const [name, prop] of props) {
    if (prop && prop.description) out += doc(prop.description, inner);
    out += `${inner}${key(name)}${required.has(name) ? '' : '?'}: ${tsType(prop, refName, inner)};\n`;
  }
  if (extra !== undefined && extra !== false) out += `${inner}[key: string]: unknown;\n`;
  return `${out}${indent}}`;
}

const pascal = (id) => id.charAt(0).toUpperCase() + id.slice(1);

function renderTypeScript(spec, banner) {
  const { refName } = spec;
  let out = `${banner}\nimport type { RequestOptions } from '../transport';\n\n`;
  for (const { name, schema } of spec.schemas) {
    if (schema.description || schema.title) out += doc(schema.description ?? schema.title, '');
    const body = tsType(schema, refName);
    out += body.startsWith('{\n')
      ? `export interface ${name} ${body}\n\n`
      : `export type ${name} = ${body};\n\n`;
  }
  const events = spec.webhookEvents.filter((e) => e.schema);
  if (events.length > 0) {
    out += '/** Every body Herald POSTs to a webhook endpoint, told apart by `type`. */\n';
    out += `export type WebhookEvent = ${events.map((e) => tsType(e.schema, refName)).join(' | ')};\n\n`;
  }
  for (const op of spec.operations) {
    if (op.queryParams.length > 0) {
      out += `/** Query parameters of \`${op.id}\`. */\nexport interface ${pascal(op.id)}Query {\n`;
      for (const p of op.queryParams) {
        if (p.description) out += doc(p.description, '  ');
        out += `  ${key(p.name)}${p.required ? '' : '?'}: ${tsType(p.schema, refName, '  ')};\n`;
      }
      out += '}\n\n';
    }
  }
  out += `/** What a successful call answers: the envelope's \`data\` and \`meta\`. */
export interface ApiResult<TData, TMeta = Meta> {
  data: TData;
  meta: TMeta;
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One typed method per operation of the public API; HeraldClient supplies the transport. */
export abstract class GeneratedOperations {
  protected abstract call<T>(
    method: Method,
    path: string,
    query: object | undefined,
    body: unknown,
    options: RequestOptions | undefined,
  ): Promise<T>;
`;
  for (const op of spec.operations) {
    const args = op.pathParams.map((p) => `${safeArg(p.name)}: string`);
    if (op.body) args.push(`body${op.body.required ? '' : '?'}: ${tsType(op.body.schema, refName, '  ')}`);
    const queryRequired = op.queryParams.some((p) => p.required);
    if (op.queryParams.length > 0) args.push(`query${queryRequired ? '' : '?'}: ${pascal(op.id)}Query`);
    args.push('options?: RequestOptions');
    const result = `ApiResult<${tsType(op.data, refName, '  ')}, ${op.meta ? tsType(op.meta, refName, '  ') : 'Meta'}>`;
    const pathExpr = op.pathParams.length
      ? '`' + op.path.replace(/\{([^}]+)\}/g, (_, n) => `\${encodeURIComponent(${safeArg(n)})}`) + '`'
      : literal(op.path);
    const text = [op.summary, op.description].filter(Boolean).join('\n\n');
    out += `\n${doc(`${text}\n\n\`${op.method} ${op.path}\``, '  ')}`;
    out += `  ${op.id}(${args.join(', ')}): Promise<${result}> {\n`;
    out += `    return this.call(${literal(op.method)}, ${pathExpr}, ${op.queryParams.length ? 'query' : 'undefined'}, ${op.body ? 'body' : 'undefined'}, options);\n  }\n`;
  }
  out += '}\n\n';
  out += '/** Every operation, for tooling: method and path template by operation id. */\n';
  out += 'export const OPERATIONS = {\n';
  for (const op of spec.operations) {
    out += `  ${op.id}: { method: ${literal(op.method)}, path: ${literal(op.path)}, scopes: ${literal(op.scopes)} },\n`;
  }
  out += '} as const;\n';
  return out;
}

const RESERVED = new Set(['body', 'query', 'options', 'default', 'delete', 'new', 'function', 'class']);
const safeArg = (name) => {
  const base = name.replace(/[^A-Za-z0-9_$]/g, '_');
  return RESERVED.has(base) ? `${base}Param` : base;
};

module.exports = { renderTypeScript, tsType };
