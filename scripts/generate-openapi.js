#!/usr/bin/env node
// `npm run openapi`: regenerates the committed artifacts of the public API from the code
// (the swagger plugin metadata, then docs/openapi.yaml; the JSON form is served, not committed).
// `--check` writes nothing and exits 1 naming each file that is out of date.
'use strict';
require('./lib/register-ts');
const fs = require('node:fs');
const path = require('node:path');

const check = process.argv.includes('--check');
const root = path.resolve(__dirname, '..');
const tooling = path.join(root, 'apps/gateway/src/openapi/openapi-artifacts.ts');

async function main() {
  const { METADATA_FILE, OPENAPI_YAML_FILE, renderGatewayPluginMetadata, renderGatewayDocument } = require(
    tooling,
  );
  const stale = [];
  const emit = (file, text) => {
    const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
    if (current === text) return;
    stale.push(path.relative(root, file));
    if (!check) fs.writeFileSync(file, text);
  };
  // The document is built with the metadata on disk, so the metadata goes first.
  emit(METADATA_FILE, await renderGatewayPluginMetadata());
  if (check && stale.length > 0) return report(stale);
  const { yaml } = await renderGatewayDocument();
  emit(OPENAPI_YAML_FILE, yaml);
  report(stale);
}

function report(stale) {
  if (check) {
    if (stale.length === 0) return console.log('openapi: up to date');
    console.error(`openapi: out of date: ${stale.join(', ')} (run npm run openapi)`);
    process.exitCode = 1;
    return;
  }
  console.log(stale.length === 0 ? 'openapi: nothing changed' : `openapi: wrote ${stale.join(', ')}`);
}

main().catch((err) => {
  console.error(`openapi: ${err instanceof Error ? err.stack : String(err)}`);
  process.exit(1);
});
