/**
 * Serves the API description of an app that imports OpenApiModule: the document as JSON
 * and YAML, and the Redoc page with its bundle from node_modules. These are documents,
 * not API results, so they are not wrapped in the envelope; they still carry
 * X-Request-Id and pass the HTTPS policy like every other route.
 */
import { ModulesContainer } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import * as fs from 'node:fs';
import { isObject } from './json';
import { buildOpenApiDocument } from './openapi-document';
import { OPENAPI_OPTIONS, OpenApiOptions } from './openapi.module';
import { toJsonText, toYamlText } from './openapi-serialize';
import {
  DOCS_CSP,
  DOCS_PATH,
  REDOC_BUNDLE_PATH,
  REDOC_INIT_PATH,
  redocInitScript,
  redocPage,
  SPEC_JSON_PATH,
  SPEC_YAML_PATH,
} from './redoc-page';

/** Mounts the routes when the app opted in; returns whether it did. */
export async function mountApiDocs(
  app: NestFastifyApplication,
  opts: { baseDomain?: string },
): Promise<boolean> {
  const options = openApiOptions(app);
  if (!options) return false;
  if (options.pluginMetadata) await SwaggerModule.loadPluginMetadata(options.pluginMetadata);
  const doc = buildOpenApiDocument(app, { baseDomain: opts.baseDomain });
  const json = toJsonText(doc);
  const yaml = toYamlText(doc);
  const title = isObject(doc.info) && typeof doc.info.title === 'string' ? doc.info.title : 'API';
  const page = redocPage(title);
  const init = redocInitScript();
  const bundleFile = require.resolve('redoc/bundles/redoc.standalone.js');

  const fastify = app.getHttpAdapter().getInstance();
  const spec = { 'cache-control': 'no-cache', 'access-control-allow-origin': '*' };
  fastify.get(SPEC_JSON_PATH, (_req, reply) =>
    reply.headers({ ...spec, 'content-type': 'application/json; charset=utf-8' }).send(json),
  );
  fastify.get(SPEC_YAML_PATH, (_req, reply) =>
    reply.headers({ ...spec, 'content-type': 'application/yaml; charset=utf-8' }).send(yaml),
  );
  fastify.get(DOCS_PATH, (_req, reply) =>
    reply
      .headers({
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': DOCS_CSP,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'cache-control': 'no-cache',
      })
      .send(page),
  );
  fastify.get(REDOC_INIT_PATH, (_req, reply) =>
    reply
      .headers({ 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' })
      .send(init),
  );
  fastify.get(REDOC_BUNDLE_PATH, (_req, reply) =>
    reply
      .headers({
        'content-type': 'text/javascript; charset=utf-8',
        'cache-control': 'public, max-age=86400',
        'x-content-type-options': 'nosniff',
      })
      .send(fs.createReadStream(bundleFile)),
  );
  return true;
}

/** The options of an imported OpenApiModule, if any (app.get would abort the process when absent). */
function openApiOptions(app: NestFastifyApplication): OpenApiOptions | undefined {
  for (const module of app.get(ModulesContainer).values()) {
    const wrapper = module.providers.get(OPENAPI_OPTIONS);
    if (wrapper) return wrapper.instance as OpenApiOptions;
  }
  return undefined;
}
