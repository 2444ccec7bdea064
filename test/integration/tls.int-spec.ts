/**
 * TLS over real sockets with a throwaway CA: the app serving HTTPS from
 * HERALD_TLS_CERT/HERALD_TLS_KEY, boot refusing bad TLS files with one line and exit 1,
 * and the production policy that refuses plain HTTP unless a trusted proxy vouches for
 * HTTPS, while probes stay reachable.
 */
import { Controller, Get, Module } from '@nestjs/common';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { HealthModule, httpOptionsFor, loadConfig } from '@herald/platform';
import { BareApp, startBareApp } from '../support/bare-http-app';
import { cleanEnv, REPO_ROOT } from '../support/herald-process';
import { createTestCa, httpsRequest, IssuedCert, TestCa } from '../support/tls';

@Controller('api/v1/things')
class ThingsController {
  @Get()
  list(): string[] {
    return ['a'];
  }
}

@Module({ imports: [HealthModule], controllers: [ThingsController] })
class FixtureModule {}

const productionEnv = (extra: Record<string, string>) =>
  loadConfig({ NODE_ENV: 'production', ...extra }, { projectRoot: REPO_ROOT });

describe('TLS and the HTTPS policy (real sockets, test CA)', () => {
  let ca: TestCa;
  let server: IssuedCert;
  const apps: BareApp[] = [];

  beforeAll(() => {
    ca = createTestCa();
    server = ca.issue({ name: 'gateway' });
  });
  afterAll(async () => {
    for (const a of apps) await a.close();
    ca.dispose();
  });

  async function start(opts: Parameters<typeof startBareApp>[1]): Promise<BareApp> {
    const a = await startBareApp(FixtureModule, opts);
    apps.push(a);
    return a;
  }

  describe('serving HTTPS', () => {
    let app: BareApp;
    beforeAll(async () => {
      const config = productionEnv({ HERALD_TLS_CERT: server.certFile, HERALD_TLS_KEY: server.keyFile });
      app = await start(httpOptionsFor(config));
    });

    it('answers over TLS with a certificate the CA vouches for, envelope and request id included', async () => {
      const res = await httpsRequest(`${app.url}/api/v1/things`, {
        ca: ca.cert,
        headers: { 'x-request-id': 'tls-1', host: `support.localhost:${app.port}` },
      });
      expect(res.status).toBe(200);
      expect(res.tlsVersion).toMatch(/^TLSv1\.[23]$/);
      expect(res.headers['x-request-id']).toBe('tls-1');
      expect(JSON.parse(res.body)).toEqual({ data: ['a'], meta: { request_id: 'tls-1' } });
    });

    it('is verified for real: a client without the CA refuses the certificate', async () => {
      await expect(httpsRequest(`${app.url}/healthz`, { ca: createTestCaCertOfAnotherCa() })).rejects.toThrow(
        /certificate/i,
      );
    });

    it('speaks no plain HTTP on the TLS port', async () => {
      await expect(fetch(`http://127.0.0.1:${app.port}/healthz`)).rejects.toThrow();
    });
  });

  describe('production over plain HTTP', () => {
    it('refuses API requests with 403 https_required, before anything else runs', async () => {
      const app = await start(httpOptionsFor(productionEnv({})));
      const res = await fetch(`${app.url}/api/v1/things`, {
        headers: { authorization: 'Bearer mc_live_secret', 'x-request-id': 'plain-1' },
      });
      expect(res.status).toBe(403);
      expect(res.headers.get('x-request-id')).toBe('plain-1');
      expect(await res.json()).toEqual({
        error: { code: 'https_required', message: expect.stringContaining('https://') },
        meta: { request_id: 'plain-1' },
      });
      // Unknown paths are refused too: nothing is learnt about the routes over plain HTTP.
      expect((await fetch(`${app.url}/api/openapi.json`)).status).toBe(403);
      expect(app.logs.some((l) => String(l.msg).includes('HTTPS is required but neither'))).toBe(true);
    });

    it('keeps liveness, readiness and metrics reachable for probes and scrapers', async () => {
      const app = await start(httpOptionsFor(productionEnv({})));
      expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${app.url}/readyz`)).status).toBe(200);
      // Not served by this app, but not refused either.
      expect((await fetch(`${app.url}/metrics`)).status).toBe(404);
    });

    it('believes X-Forwarded-Proto: https only from a trusted proxy', async () => {
      const trusted = await start(
        httpOptionsFor(productionEnv({ HERALD_TRUSTED_PROXIES: '127.0.0.0/8,::1/128' })),
      );
      const via = (proto?: string) =>
        fetch(`${trusted.url}/api/v1/things`, { headers: proto ? { 'x-forwarded-proto': proto } : {} });
      expect((await via('https')).status).toBe(200);
      expect((await via('http')).status).toBe(403);
      expect((await via()).status).toBe(403);
      // The nearest proxy's view (the last entry) is the one that counts.
      expect((await via('https, http')).status).toBe(403);

      const elsewhere = await start(httpOptionsFor(productionEnv({ HERALD_TRUSTED_PROXIES: '10.0.0.0/8' })));
      const spoofed = await fetch(`${elsewhere.url}/api/v1/things`, {
        headers: { 'x-forwarded-proto': 'https' },
      });
      expect(spoofed.status).toBe(403);
    });

    it('serves plain HTTP outside production', async () => {
      const app = await start(
        httpOptionsFor(loadConfig({ NODE_ENV: 'development' }, { projectRoot: REPO_ROOT })),
      );
      expect((await fetch(`${app.url}/api/v1/things`)).status).toBe(200);
    });
  });

  describe('boot-time validation of the TLS files', () => {
    const boot = (env: Record<string, string>) => {
      const res = spawnSync(
        process.execPath,
        [
          '-r',
          path.join(REPO_ROOT, 'scripts/lib/register-ts.js'),
          path.join(REPO_ROOT, 'apps/gateway/src/main.ts'),
        ],
        { env: cleanEnv(env), cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 },
      );
      return { status: res.status, stderr: res.stderr };
    };

    it.each([
      [
        'a missing file',
        () => ({ HERALD_TLS_CERT: '/nonexistent/cert.pem', HERALD_TLS_KEY: server.keyFile }),
        'cannot read /nonexistent/cert.pem (ENOENT)',
      ],
      [
        'an unreadable path',
        () => ({ HERALD_TLS_CERT: server.certFile, HERALD_TLS_KEY: ca.dir }),
        'HERALD_TLS_KEY: cannot read /tmp/herald-ca-',
      ],
      [
        'a key of another certificate',
        () => ({ HERALD_TLS_CERT: server.certFile, HERALD_TLS_KEY: ca.issue().keyFile }),
        'does not belong to the certificate',
      ],
      [
        'a key where the certificate goes',
        () => ({ HERALD_TLS_CERT: server.keyFile, HERALD_TLS_KEY: server.keyFile }),
        'HERALD_TLS_CERT must be a PEM certificate',
      ],
      [
        'only one of the pair',
        () => ({ HERALD_TLS_CERT: server.certFile }),
        'HERALD_TLS_CERT and HERALD_TLS_KEY must be set together',
      ],
    ])('stops the gateway on %s with one line and exit 1', (_what, env, expected) => {
      const res = boot(env());
      expect(res.status).toBe(1);
      const lines = res.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^herald: invalid configuration: /);
      expect(lines[0]).toContain(expected);
    });
  });
});

/** A CA certificate that did not sign the server's certificate. */
function createTestCaCertOfAnotherCa(): string {
  const other = createTestCa('Some Other CA');
  const pem = other.cert;
  other.dispose();
  return pem;
}
