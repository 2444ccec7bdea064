/**
 * The public API description: the committed artifacts are exactly what the code generates
 * (byte for byte), the document is OpenAPI 3.1 with only public routes and passes the
 * Redocly lint, and the gateway serves it with the Redoc page from local assets only.
 */
import { PUBLIC_TYPES, publicEventSchemas, SCOPES } from '@herald/contracts';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { load } from 'js-yaml';
import { GatewayModule } from '../../apps/gateway/src/gateway.module';
import { GatewayOpenApiModule } from '../../apps/gateway/src/openapi/gateway-openapi.module';
import { OPENAPI_YAML_FILE, renderGatewayDocument } from '../../apps/gateway/src/openapi/openapi-artifacts';
import { startTestApp, TestApp } from '../support/app';
import { REPO_ROOT } from '../support/herald-process';

type Doc = Record<string, any>;
const REGENERATE = 'out of date: run `npm run openapi` and commit the result';

/** The API's operations (the OAuth token endpoint, outside the envelope, is tested on its own). */
function operations(doc: Doc): Array<{ path: string; method: string; op: Doc }> {
  const out: Array<{ path: string; method: string; op: Doc }> = [];
  for (const [p, item] of Object.entries<Doc>(doc.paths)) {
    if (p === '/oauth/token') continue;
    for (const [method, op] of Object.entries<Doc>(item)) out.push({ path: p, method, op });
  }
  return out;
}

function everyKey(node: unknown, key: string, found: string[] = [], at = '#'): string[] {
  if (Array.isArray(node)) node.forEach((n, i) => everyKey(n, key, found, `${at}/${i}`));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === key) found.push(at);
      everyKey(v, key, found, `${at}/${k}`);
    }
  }
  return found;
}

describe('OpenAPI 3.1 document and Redoc', () => {
  jest.setTimeout(180_000);
  let generated: { yaml: string; json: string };
  let doc: Doc;

  beforeAll(async () => {
    generated = await renderGatewayDocument();
    doc = JSON.parse(generated.json) as Doc;
  });

  describe('committed artifacts match the code', () => {
    it('the swagger plugin metadata and docs/openapi.yaml (npm run openapi:check)', () => {
      // A child process: the generator formats with prettier, which Jest's VM cannot load.
      const res = spawnSync(
        process.execPath,
        [path.join(REPO_ROOT, 'scripts/generate-openapi.js'), '--check'],
        {
          cwd: REPO_ROOT,
          encoding: 'utf8',
          timeout: 120_000,
        },
      );
      expect({ status: res.status, out: (res.stdout + res.stderr).trim() }).toEqual({
        status: 0,
        out: 'openapi: up to date',
      });
    });

    it('docs/openapi.yaml is the document this code generates', () => {
      const committed = fs.readFileSync(OPENAPI_YAML_FILE, 'utf8');
      expect(generated.yaml === committed ? 'identical' : REGENERATE).toBe('identical');
    });

    it('is deterministic: the same code gives the same bytes', async () => {
      const again = await renderGatewayDocument();
      expect(again.yaml).toBe(generated.yaml);
      expect(again.json).toBe(generated.json);
      expect(load(generated.yaml)).toEqual(doc);
    });
  });

  describe('the document', () => {
    it('is OpenAPI 3.1 with no 3.0-only keywords', () => {
      expect(doc.openapi).toBe('3.1.0');
      expect(everyKey(doc, 'nullable')).toEqual([]);
      expect(everyKey(doc.components.schemas, 'example')).toEqual([]);
      expect(everyKey(doc, '$schema')).toEqual([]);
    });

    it('describes only public routes', () => {
      const paths = Object.keys(doc.paths);
      for (const p of paths) expect(p).toMatch(/^\/api\/v1\/|^\/oauth\/token$/);
      expect(paths.filter((p) => /internal|admin|healthz|readyz|openapi|docs/.test(p))).toEqual([]);
    });

    it('names the bearer and OAuth2 schemes and each operation’s scopes, the same for both', () => {
      expect(doc.components.securitySchemes.ApiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
      expect(doc.components.securitySchemes.OAuth2).toMatchObject({
        type: 'oauth2',
        flows: { clientCredentials: { tokenUrl: '/oauth/token' } },
      });
      expect(Object.keys(doc.components.securitySchemes.OAuth2.flows.clientCredentials.scopes)).toEqual([
        ...SCOPES,
      ]);
      expect(doc.security).toBeUndefined();
      for (const { path: p, method, op } of operations(doc)) {
        const where = `${method.toUpperCase()} ${p}`;
        expect({ where, security: op.security }).toEqual({
          where,
          security: [
            { ApiKey: expect.arrayContaining([expect.any(String)]) },
            { OAuth2: op.security[0].ApiKey },
          ],
        });
        for (const s of op.security[0].ApiKey as string[]) expect(SCOPES).toContain(s);
        expect(op.description).toContain(`\`${op.security[0].ApiKey[0]}\``);
      }
    });

    it('wraps results in the envelope and documents the shared errors and headers', () => {
      for (const { op } of operations(doc)) {
        const ok = op.responses['200'] ?? op.responses['201'] ?? op.responses['202'];
        expect(ok.content['application/json'].schema).toMatchObject({
          required: ['data', 'meta'],
          properties: { meta: { $ref: expect.stringMatching(/^#\/components\/schemas\/(List)?Meta$/) } },
        });
        for (const status of ['401', '403', '404', '429', '500']) {
          expect(op.responses[status].content['application/json'].schema).toEqual({
            $ref: '#/components/schemas/ErrorEnvelope',
          });
        }
        expect(Object.keys(op.responses['403'].content['application/json'].examples)).toEqual(
          expect.arrayContaining(['insufficient_scope', 'https_required']),
        );
        expect(op.responses['429'].headers['Retry-After']).toBeDefined();
        for (const res of Object.values<Doc>(op.responses)) {
          expect(Object.keys(res.headers)).toEqual(
            expect.arrayContaining([
              'X-Request-Id',
              'RateLimit-Limit',
              'RateLimit-Remaining',
              'RateLimit-Reset',
            ]),
          );
        }
      }
    });

    it('documents the token endpoint: a form in, RFC 6749 bodies out', () => {
      const op = doc.paths['/oauth/token'].post;
      expect(Object.keys(doc.paths['/oauth/token'])).toEqual(['post']);
      expect(op.requestBody.content['application/x-www-form-urlencoded'].schema).toEqual({
        $ref: '#/components/schemas/TokenRequest',
      });
      expect(op.responses['200'].content['application/json'].schema).toEqual({
        $ref: '#/components/schemas/TokenResponse',
      });
      expect(op.responses['200'].headers['Cache-Control']).toBeDefined();
      for (const status of ['401', '429']) {
        expect(op.responses[status].content['application/json'].schema).toEqual({
          $ref: '#/components/schemas/OAuthError',
        });
      }
      expect(op.responses['401'].headers['WWW-Authenticate']).toBeDefined();
      expect(op.responses['404'].content['application/json'].schema).toEqual({
        $ref: '#/components/schemas/ErrorEnvelope',
      });
      expect(doc.components.schemas.OAuthError.properties.error.enum).toEqual(
        expect.arrayContaining([
          'invalid_request',
          'invalid_client',
          'unsupported_grant_type',
          'invalid_scope',
        ]),
      );
      expect(doc.components.schemas.ErrorCode.enum).toContain('invalid_token');
    });

    it('lists every stable error code', () => {
      expect(doc.components.schemas.ErrorCode.enum).toEqual(
        expect.arrayContaining([
          'tenant_not_found',
          'invalid_api_key',
          'insufficient_scope',
          'rate_limited',
          'invalid_cursor',
          'bad_request',
          'invalid_json',
          'not_found',
          'method_not_allowed',
          'payload_too_large',
          'unsupported_media_type',
          'https_required',
          'internal_error',
        ]),
      );
      for (const code of doc.components.schemas.ErrorCode.enum as string[]) {
        expect(doc.info.description).toContain(`\`${code}\``);
      }
    });

    it('names the tenant host in its server entry', () => {
      expect(doc.servers).toEqual([
        expect.objectContaining({
          url: 'https://{tenant}.{base_domain}',
          variables: expect.objectContaining({ tenant: expect.objectContaining({ default: 'dev' }) }),
        }),
      ]);
    });

    it('describes every public event type under webhooks, from the contract schemas', () => {
      expect(Object.keys(doc.webhooks).sort()).toEqual([...PUBLIC_TYPES].sort());
      expect(doc.webhooks['webhook.test']).toBeDefined();
      const contract = publicEventSchemas();
      for (const [type, item] of Object.entries<Doc>(doc.webhooks)) {
        const ref = item.post.requestBody.content['application/json'].schema.$ref as string;
        const schema = doc.components.schemas[ref.split('/').pop()!];
        const { $schema: _s, $id: _i, ...expected } = contract[type]!;
        expect(schema).toEqual(expected);
        const headers = (item.post.parameters as Doc[]).map(
          (p) => doc.components.parameters[p.$ref.split('/').pop()].name,
        );
        expect(headers).toEqual(
          expect.arrayContaining([
            'Mobieus-Signature',
            'Mobieus-Event-Id',
            'Mobieus-Event-Type',
            'Mobieus-Delivery-Id',
          ]),
        );
      }
    });

    it('passes the Redocly lint offline (redocly.yaml rules)', () => {
      const res = spawnSync(
        process.execPath,
        [
          path.join(REPO_ROOT, 'node_modules/@redocly/cli/bin/cli.js'),
          'lint',
          OPENAPI_YAML_FILE,
          '--format',
          'stylish',
        ],
        {
          cwd: REPO_ROOT,
          encoding: 'utf8',
          env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
          timeout: 120_000,
        },
      );
      expect({ status: res.status, out: res.status === 0 ? '' : res.stdout + res.stderr }).toEqual({
        status: 0,
        out: '',
      });
      expect(res.stdout + res.stderr).not.toMatch(/You have \d+ warnings?/);
    });
  });

  describe('served by the gateway', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp([GatewayModule, GatewayOpenApiModule]);
    });
    afterAll(async () => {
      await t.close();
    });

    it('GET /api/openapi.json and /api/openapi.yaml return the generated document', async () => {
      const json = await fetch(`${t.baseUrl}/api/openapi.json`, { headers: { 'x-request-id': 'spec-1' } });
      expect(json.status).toBe(200);
      expect(json.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(json.headers.get('x-request-id')).toBe('spec-1');
      expect(await json.json()).toEqual(doc);

      const yaml = await fetch(`${t.baseUrl}/api/openapi.yaml`);
      expect(yaml.status).toBe(200);
      expect(yaml.headers.get('content-type')).toBe('application/yaml; charset=utf-8');
      expect(await yaml.text()).toBe(fs.readFileSync(OPENAPI_YAML_FILE, 'utf8'));
    });

    it('GET /api/docs is a Redoc page on local assets only, pointing at /api/openapi.json', async () => {
      const res = await fetch(`${t.baseUrl}/api/docs`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toMatch(/https?:/);
      const html = await res.text();
      const refs = [...html.matchAll(/\b(?:src|href|data-spec-url)="([^"]*)"/g)].map((m) => m[1]!);
      expect(refs).toEqual(
        expect.arrayContaining([
          '/api/docs/redoc.standalone.js',
          '/api/docs/redoc-init.js',
          '/api/openapi.json',
        ]),
      );
      for (const r of refs) expect(r).toMatch(/^\/[a-z]/);
      expect(html).not.toMatch(/https?:\/\//);
      expect(html).not.toMatch(/<script>/);
    });

    it('serves the redoc bundle from node_modules and a dark-themed start script', async () => {
      const bundle = await fetch(`${t.baseUrl}/api/docs/redoc.standalone.js`);
      expect(bundle.status).toBe(200);
      expect(bundle.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      // DESIGN.md §3 pins redoc 2 (redoc 3 needs Node 22).
      const redoc = JSON.parse(fs.readFileSync(require.resolve('redoc/package.json'), 'utf8')) as {
        version: string;
      };
      expect(redoc.version).toMatch(/^2\./);
      const body = await bundle.text();
      expect(body).toBe(fs.readFileSync(require.resolve('redoc/bundles/redoc.standalone.js'), 'utf8'));

      const init = await (await fetch(`${t.baseUrl}/api/docs/redoc-init.js`)).text();
      expect(init).toContain('Redoc.init(');
      expect(init).toContain("getAttribute('data-spec-url')");
      const options = JSON.parse(/Redoc\.init\([^,]+, (\{.*\}), el\)/s.exec(init)![1]!) as Doc;
      expect(options.theme.sidebar.backgroundColor).toMatch(/^#0/);
      expect(options.theme.rightPanel.backgroundColor).toMatch(/^#1/);
    });
  });
});
