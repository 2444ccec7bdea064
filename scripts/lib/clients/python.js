// Renders the Python client's generated half (herald_client/_generated.py): a TypedDict per
// component schema and one typed method per operation on _GeneratedOperations.
'use strict';

const PY_KEYWORDS = new Set(
  (
    'False None True and as assert async await break class continue def del elif else except finally for ' +
    'from global if import in is lambda nonlocal not or pass raise return try while with yield'
  ).split(' '),
);
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const isPyIdent = (k) => IDENT.test(k) && !PY_KEYWORDS.has(k);

const str = (s) => JSON.stringify(s);

function snake(id) {
  return id
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9_]/g, '_')
    .toLowerCase();
}

function argName(name) {
  const base = snake(name);
  return PY_KEYWORDS.has(base) || ['self', 'body', 'options'].includes(base) ? `${base}_` : base;
}

/** The typing expression for a schema; nested inline objects stay Dict[str, Any]. */
function pyType(schema, refName) {
  if (schema === undefined || schema === true || schema === null) return 'Any';
  if (schema.$ref) return str(refName(schema.$ref));
  if ('const' in schema) return `Literal[${pyLiteral(schema.const)}]`;
  if (Array.isArray(schema.enum)) {
    const values = schema.enum.filter((v) => v !== null).map(pyLiteral);
    const lit = `Literal[${values.join(', ')}]`;
    return schema.enum.includes(null) ? `Optional[${lit}]` : lit;
  }
  const union = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(union)) return unionOf(union.map((s) => pyType(s, refName)));
  if (Array.isArray(schema.allOf)) return 'Dict[str, Any]';
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.length === 0) return schema.properties ? 'Dict[str, Any]' : 'Any';
  return unionOf(
    types.map((t) => {
      switch (t) {
        case 'string':
          return 'str';
        case 'integer':
          return 'int';
        case 'number':
          return 'float';
        case 'boolean':
          return 'bool';
        case 'null':
          return 'None';
        case 'array':
          return `List[${pyType(schema.items, refName)}]`;
        case 'object':
          return schema.additionalProperties &&
            typeof schema.additionalProperties === 'object' &&
            !schema.properties
            ? `Dict[str, ${pyType(schema.additionalProperties, refName)}]`
            : 'Dict[str, Any]';
        default:
          throw new Error(`unknown JSON Schema type ${t}`);
      }
    }),
  );
}

function unionOf(types) {
  const unique = [...new Set(types)];
  const nullable = unique.includes('None');
  const rest = unique.filter((t) => t !== 'None');
  const inner = rest.length === 0 ? 'None' : rest.length === 1 ? rest[0] : `Union[${rest.join(', ')}]`;
  return nullable && rest.length > 0 ? `Optional[${inner}]` : inner;
}

function pyLiteral(v) {
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  return JSON.stringify(v);
}

function docstring(text, indent) {
  const body = String(text).replace(/\\/g, '\\\\').replace(/"""/g, '\\"\\"\\"').trim();
  const lines = body.split('\n');
  if (lines.length === 1) return `${indent}"""${lines[0]}"""\n`;
  return `${indent}"""${lines[0]}\n${lines
    .slice(1)
    .map((l) => (l ? `${indent}${l}` : ''))
    .join('\n')}\n${indent}"""\n`;
}

function typedDict(name, schema, refName) {
  const props = Object.entries(schema.properties ?? {});
  if (!schema.type || (schema.type !== 'object' && !props.length) || props.length === 0) {
    return `${name} = ${pyType(schema, refName)}\n`;
  }
  const required = new Set(schema.required ?? []);
  const field = ([k, s]) => `${str(k)}: ${pyType(s, refName)}`;
  const req = props.filter(([k]) => required.has(k));
  const opt = props.filter(([k]) => !required.has(k));
  let out = '';
  if (opt.every(([k]) => isPyIdent(k))) {
    out += `_${name}Required = TypedDict(${str(`_${name}Required`)}, {${req.map(field).join(', ')}})\n\n\n`;
    out += `class ${name}(_${name}Required, total=False):\n`;
    if (schema.description || schema.title) out += docstring(schema.description ?? schema.title, '    ');
    for (const [k, s] of opt) out += `    ${k}: ${pyType(s, refName)}\n`;
    if (opt.length === 0 && !(schema.description || schema.title)) out += '    pass\n';
    return out;
  }
  // A key Python cannot spell as an attribute: every key optional, in the functional form.
  return `${name} = TypedDict(${str(name)}, {${props.map(field).join(', ')}}, total=False)\n`;
}

function renderPython(spec, banner) {
  const { refName } = spec;
  let out = `${banner.replace(/^\/\/ ?/gm, '# ')}
import urllib.parse
from typing import Any, Dict, List, Literal, Optional, TypedDict, Union

from ._transport import ApiResult, Transport

__all__ = [
${[...spec.schemas.map((s) => s.name), 'WebhookEvent'].map((n) => `    ${str(n)},`).join('\n')}
]

`;
  for (const { name, schema } of spec.schemas) out += `\n${typedDict(name, schema, refName)}\n`;
  const events = spec.webhookEvents.filter((e) => e.schema);
  out += `\nWebhookEvent = ${events.length ? `Union[${events.map((e) => pyType(e.schema, refName)).join(', ')}]` : 'Dict[str, Any]'}\n`;
  out += `"""Every body Herald POSTs to a webhook endpoint, told apart by \`type\`."""\n`;

  out += `

def _path(value: str) -> str:
    return urllib.parse.quote(value, safe="")


class _GeneratedOperations:
    """One typed method per operation of the public API; HeraldClient supplies the transport."""

    _transport: Transport
`;
  for (const op of spec.operations) {
    const args = ['self', ...op.pathParams.map((p) => `${argName(p.name)}: str`)];
    if (op.body) {
      args.push(
        op.body.required
          ? `body: ${pyType(op.body.schema, refName)}`
          : `body: Optional[${pyType(op.body.schema, refName)}] = None`,
      );
    }
    if (op.queryParams.length > 0) {
      args.push('*');
      for (const p of op.queryParams) {
        const t = pyType(p.schema, refName);
        args.push(p.required ? `${argName(p.name)}: ${t}` : `${argName(p.name)}: Optional[${t}] = None`);
      }
    }
    const ret = `ApiResult[${pyType(op.data, refName)}]`;
    const pathExpr = op.pathParams.length
      ? `${str(op.path)}.format(${op.pathParams.map((p) => `${argName(p.name).replace(/_$/, '')}=_path(${argName(p.name)})`).join(', ')})`
      : str(op.path);
    const query = op.queryParams.length
      ? `{${op.queryParams.map((p) => `${str(p.name)}: ${argName(p.name)}`).join(', ')}}`
      : 'None';
    const text = [op.summary, op.description].filter(Boolean).join('\n\n');
    out += `\n    def ${snake(op.id)}(${args.join(', ')}) -> ${ret}:\n`;
    out += docstring(`${text}\n\n\`${op.method} ${op.path}\``, '        ');
    out += `        return self._transport.call(${str(op.method)}, ${pathExpr}, query=${query}, body=${op.body ? 'body' : 'None'})\n`;
  }
  out += '\n\nOPERATIONS = {\n';
  for (const op of spec.operations) {
    out += `    ${str(snake(op.id))}: (${str(op.method)}, ${str(op.path)}),\n`;
  }
  out += '}\n';
  return out;
}

module.exports = { renderPython, snake };
