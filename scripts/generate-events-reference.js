#!/usr/bin/env node
// Writes docs/api-events-reference.md from libs/contracts: every public type, when it fires,
// an example built by the catalog's own translation of an example fact, and its JSON Schema.
// Run by `npm run openapi`; `--check` writes nothing and exits 1 when the file is out of date.
'use strict';
require('./lib/register-ts');
const fs = require('node:fs');
const path = require('node:path');
const { createHash } = require('node:crypto');
const prettier = require('prettier');
const Ajv2020 = require('ajv/dist/2020').default;
const contracts = require('../libs/contracts/src');

const root = path.resolve(__dirname, '..');
const OUT = path.join(root, 'docs', 'api-events-reference.md');
const TENANT = 'support';
const OCCURRED_AT = Date.parse('2026-05-28T12:34:56.123Z');

/** A fixed UUID per kind, so the example ids never change between runs. */
function exampleInternalId(kind) {
  const h = createHash('sha256').update(`docs-example:${kind}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const json = (v) => JSON.stringify(v, null, 2);

function exampleFor(spec, index) {
  const ref = contracts.KIND_REFERENCE[spec.kind];
  if (!ref)
    throw new Error(`${spec.kind} has no entry in KIND_REFERENCE (libs/contracts/src/events/reference.ts)`);
  const internal = {
    id: exampleInternalId(spec.kind),
    tenant: TENANT,
    kind: spec.kind,
    occurred_at: new Date(OCCURRED_AT + index * 61_000).toISOString(),
    data: ref.example,
  };
  const checked = contracts.validateInternalEvent(internal);
  if (!checked.ok) throw new Error(`example of ${spec.kind} is refused: ${JSON.stringify(checked)}`);
  const { event } = contracts.translate(internal, spec);
  return { ref, internal, event };
}

function section(type, firesWhen, schema, event, extra) {
  return [
    `## \`${type}\``,
    '',
    firesWhen,
    '',
    ...extra,
    'Example:',
    '',
    '```json',
    json(event),
    '```',
    '',
    'JSON Schema:',
    '',
    '```json',
    json(schema),
    '```',
    '',
  ];
}

function render() {
  const schemas = contracts.publicEventSchemas();
  const ajv = new Ajv2020({ strict: false, validateFormats: false });
  const lines = [
    '# Events reference',
    '',
    '<!-- Generated from libs/contracts by `npm run openapi` (scripts/generate-events-reference.js); do not edit.',
    '`npm run openapi:check` fails when this file differs from what the contracts produce. -->',
    '',
    'Every public event, as a webhook body and as an item of `GET /api/v1/events`, has exactly four',
    'fields: `id` (`evt_` + a ULID, the same for every delivery of one fact: dedupe on it), `type`,',
    '`created_at` (RFC 3339 UTC, six fractional digits) and `data`, whose shape each type below',
    'fixes. Nothing else is ever added: fields that product services keep internal (e-mail',
    'addresses, IP addresses, message bodies, reasons) never leave Herald. Subscribe to exact',
    'types, to families such as `post.*`, or to `*` ([webhooks quickstart](api-webhooks-quickstart.md));',
    'filter the feed the same way with `GET /api/v1/events?type=post.*` ([API overview](api-overview.md)).',
    '',
    'The schemas are JSON Schema draft 2020-12; the same schemas make the `webhooks` section of',
    '[openapi.yaml](openapi.yaml). The examples are the catalog translating an example fact of the',
    `\`${TENANT}\` tenant, exactly as Herald does.`,
    '',
    '| type | fires when |',
    '| --- | --- |',
  ];
  const sections = [];
  contracts.KIND_SPECS.forEach((spec, i) => {
    const { ref, event } = exampleFor(spec, i);
    const schema = schemas[spec.publicType];
    if (!ajv.validate(schema, event)) throw new Error(`${spec.publicType} example: ${ajv.errorsText()}`);
    lines.push(`| [\`${spec.publicType}\`](#${spec.publicType.replace(/\./g, '')}) | ${ref.firesWhen} |`);
    const internalOnly = Object.entries(spec.fields)
      .filter(([, f]) => f.internal)
      .map(([name]) => `\`${name}\``);
    sections.push(
      ...section(spec.publicType, ref.firesWhen, schema, event, [
        `Internal kind \`${spec.kind}\`${spec.firstOnly ? ' (its first occurrence per subject only)' : ''}.` +
          (internalOnly.length > 0 ? ` Kept internal, never published: ${internalOnly.join(', ')}.` : ''),
        '',
      ]),
    );
  });
  for (const type of contracts.PUBLIC_TYPES) {
    if (contracts.KIND_SPECS.some((s) => s.publicType === type)) continue;
    const ref = contracts.SYNTHETIC_REFERENCE[type];
    if (!ref)
      throw new Error(`${type} has no entry in SYNTHETIC_REFERENCE (libs/contracts/src/events/reference.ts)`);
    const event = {
      id: contracts.publicEventId(TENANT, exampleInternalId(type)),
      type,
      created_at: contracts.toPublicTimestamp(new Date(OCCURRED_AT).toISOString()),
      data: ref.example,
    };
    const schema = schemas[type];
    if (!ajv.validate(schema, event)) throw new Error(`${type} example: ${ajv.errorsText()}`);
    lines.push(`| [\`${type}\`](#${type.replace(/\./g, '')}) | ${ref.firesWhen} |`);
    sections.push(...section(type, ref.firesWhen, schema, event, []));
  }
  lines.push('', ...sections);
  return lines.join('\n');
}

async function main() {
  const check = process.argv.includes('--check');
  const options = { ...(await prettier.resolveConfig(OUT)), parser: 'markdown' };
  const text = await prettier.format(render(), options);
  const current = fs.existsSync(OUT) ? fs.readFileSync(OUT, 'utf8') : undefined;
  const rel = path.relative(root, OUT);
  if (current === text) return console.log(`events reference: ${check ? 'up to date' : 'nothing changed'}`);
  if (check) {
    console.error(`events reference: out of date: ${rel} (run npm run openapi)`);
    process.exitCode = 1;
    return;
  }
  fs.writeFileSync(OUT, text);
  console.log(`events reference: wrote ${rel}`);
}

if (require.main === module) {
  main().catch((err) => {
    console.error(`events reference: ${err instanceof Error ? err.stack : String(err)}`);
    process.exit(1);
  });
}

module.exports = { render, OUT };
