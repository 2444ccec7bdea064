/**
 * Builds the public OpenAPI 3.1 document of an app from its code: @nestjs/swagger scans
 * the controllers (with the plugin metadata for DTO types and class-validator rules),
 * then the document keeps the `@PublicApi()` routes only and adds the shared parts of
 * DESIGN.md §6 and the event schemas of libs/contracts. Same code in, same document out.
 */
import type { INestApplication } from '@nestjs/common';
import { SwaggerModule } from '@nestjs/swagger';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { projectRoot } from '../config/project-root';
import { ErrorCode, PLATFORM_ERROR_CODES } from '../http/error-codes';
import { isObject, JsonObject, toJson } from './json';
import { upgradeSchemasTo31 } from './openapi-31';
import { envelopeSchemas, errorExamples, responseHeaders, securitySchemes } from './openapi-components';
import { info } from './openapi-info';
import { oauthSchemas, oauthSecuritySchemes, TOKEN_PATH, tokenPath } from './openapi-oauth';
import { closeRequestBodySchemas, describePublicOperations, tagDescription } from './openapi-operations';
import { canonicalDocument, pruneUnused } from './openapi-order';
import { eventSchemas, webhookParameters, webhooks, WEBHOOKS_TAG } from './openapi-webhooks';
import { handlerKey, publicHandlers } from './public-handlers';

export interface OpenApiDocumentOptions {
  /** Default of the `{base_domain}` server variable (HERALD_BASE_DOMAIN). */
  baseDomain?: string;
}

export const OPENAPI_VERSION = '3.1.0';

export function buildOpenApiDocument(app: INestApplication, opts: OpenApiDocumentOptions = {}): JsonObject {
  const handlers = publicHandlers(app);
  const scanned = SwaggerModule.createDocument(
    app,
    { openapi: OPENAPI_VERSION, info: { title: '', version: '' } },
    { operationIdFactory: handlerKey, autoTagControllers: false },
  );
  const doc = toJson(scanned) as JsonObject;
  const paths = isObject(doc.paths) ? doc.paths : {};
  const usedCodes = describePublicOperations(paths, handlers);
  const token = tokenPath();
  paths[TOKEN_PATH] = token.item;
  usedCodes.push(...token.codes);
  const dtoSchemas =
    isObject(doc.components) && isObject(doc.components.schemas) ? doc.components.schemas : {};
  upgradeSchemasTo31({ paths, components: { schemas: dtoSchemas } });
  closeRequestBodySchemas(paths, dtoSchemas);

  const codes = allCodes(usedCodes);
  const tags = new Set<string>();
  for (const item of Object.values(paths)) {
    if (!isObject(item)) continue;
    for (const op of Object.values(item)) {
      if (isObject(op) && Array.isArray(op.tags))
        for (const t of op.tags) if (typeof t === 'string') tags.add(t);
    }
  }
  const out: JsonObject = {
    openapi: OPENAPI_VERSION,
    info: info(packageVersion(), codes),
    servers: [
      {
        url: 'https://{tenant}.{base_domain}',
        description: "Your tenant's API host.",
        variables: {
          tenant: { default: 'dev', description: 'Your tenant (community) slug.' },
          base_domain: {
            default: opts.baseDomain ?? 'localhost',
            description: 'The base domain of the deployment, with `:port` when not 443.',
          },
        },
      },
    ],
    tags: [
      ...[...tags].sort().map((name) => ({ name, description: tagDescription(name) })),
      {
        name: WEBHOOKS_TAG,
        description:
          'What Herald sends to your endpoints. Verify the signature over the raw body before ' +
          'parsing, answer 2xx quickly, and dedupe on the event `id`.',
      },
    ],
    paths,
    webhooks: webhooks(),
    components: {
      schemas: { ...dtoSchemas, ...envelopeSchemas(codes), ...oauthSchemas(), ...eventSchemas() },
      parameters: webhookParameters(),
      examples: errorExamples(codes),
      headers: responseHeaders(),
      securitySchemes: { ...securitySchemes(), ...oauthSecuritySchemes() },
    },
  };
  // Parts nothing refers to (say ListMeta before any list route, or DTOs of internal
  // routes the scan saw) are dropped, so the document has no orphans.
  pruneUnused(out);
  return canonicalDocument(out);
}

/** The platform's codes plus any route-specific ones, by status then name. */
function allCodes(used: readonly ErrorCode[]): ErrorCode[] {
  const byCode = new Map<string, ErrorCode>();
  for (const c of [...PLATFORM_ERROR_CODES, ...used]) {
    const seen = byCode.get(c.code);
    if (seen && (seen.status !== c.status || seen.description !== c.description)) {
      throw new Error(`error code ${c.code} is defined twice, differently`);
    }
    byCode.set(c.code, c);
  }
  return [...byCode.values()].sort((a, b) => a.status - b.status || a.code.localeCompare(b.code));
}

function packageVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(projectRoot(), 'package.json'), 'utf8')) as {
    version?: string;
  };
  return pkg.version ?? '0.0.0';
}
