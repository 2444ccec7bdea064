// Reads docs/openapi.yaml into what both client generators need: the component schemas
// under client-friendly names and one entry per operation (path, query and body
// parameters, the success envelope), in the document's order so output is stable.
'use strict';
const fs = require('node:fs');
const yaml = require('js-yaml');

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** `WebhookEndpointResponseDto` → `WebhookEndpoint`, `CreateWebhookRequestDto` → `CreateWebhookRequest`. */
function clientName(schemaName) {
  const name = schemaName.replace(/ResponseDto$/, '').replace(/Dto$/, '');
  // `Error` would shadow the global of that name in TypeScript.
  return name === 'Error' ? 'ErrorBody' : name;
}

function loadSpec(file) {
  const doc = yaml.load(fs.readFileSync(file, 'utf8'));
  const raw = doc.components?.schemas ?? {};
  const names = new Map();
  for (const name of Object.keys(raw)) {
    const mapped = clientName(name);
    if ([...names.values()].includes(mapped)) throw new Error(`two schemas would both be named ${mapped}`);
    names.set(name, mapped);
  }
  const schemas = Object.entries(raw).map(([name, schema]) => ({ name: names.get(name), schema }));
  const refName = (ref) => {
    const m = /^#\/components\/schemas\/(.+)$/.exec(ref);
    if (!m || !names.has(m[1])) throw new Error(`unresolvable $ref ${ref}`);
    return names.get(m[1]);
  };
  const resolveParam = (p) => {
    if (!p.$ref) return p;
    const m = /^#\/components\/parameters\/(.+)$/.exec(p.$ref);
    const found = m && doc.components?.parameters?.[m[1]];
    if (!found) throw new Error(`unresolvable parameter ${p.$ref}`);
    return found;
  };

  const operations = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      if (!op.operationId) throw new Error(`${method.toUpperCase()} ${path} has no operationId`);
      // The OAuth token endpoint takes a form and answers outside the envelope: OAuth
      // libraries talk to it, the clients call the API with what it issues.
      if (op.requestBody && !op.requestBody.content?.['application/json']) continue;
      const params = [...(item.parameters ?? []), ...(op.parameters ?? [])].map(resolveParam);
      const pathParams = params.filter((p) => p.in === 'path');
      const order = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      pathParams.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
      const queryParams = params.filter((p) => p.in === 'query');
      const bodySchema = op.requestBody?.content?.['application/json']?.schema;
      const success = Object.entries(op.responses ?? {}).find(([status]) => /^2\d\d$/.test(status));
      const envelope = success?.[1]?.content?.['application/json']?.schema;
      operations.push({
        id: op.operationId,
        method: method.toUpperCase(),
        path,
        summary: op.summary ?? '',
        description: op.description ?? '',
        // The same scopes whether the caller holds a key or an OAuth token.
        scopes: [...new Set((op.security ?? []).flatMap((s) => Object.values(s).flat()))],
        pathParams,
        queryParams,
        body: bodySchema ? { schema: bodySchema, required: op.requestBody.required === true } : undefined,
        data: envelope?.properties?.data,
        meta: envelope?.properties?.meta,
        paged: queryParams.some((p) => p.name === 'cursor'),
      });
    }
  }
  const webhookEvents = Object.entries(doc.webhooks ?? {}).map(([type, item]) => ({
    type,
    schema: item.post?.requestBody?.content?.['application/json']?.schema,
  }));
  return { title: doc.info?.title, version: doc.info?.version, schemas, operations, webhookEvents, refName };
}

module.exports = { loadSpec };
