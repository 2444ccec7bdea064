import Fastify from 'fastify';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ADMIN_UI_DIR, loadAdminUiFiles } from './admin-ui-files';
import { ADMIN_UI_CSP, mountAdminUi } from './admin-ui.module';

describe('admin console files', () => {
  const app = Fastify();
  beforeAll(async () => {
    mountAdminUi(app, loadAdminUiFiles());
    await app.ready();
  });
  afterAll(() => app.close());

  it.each(['/admin', '/admin/', '/admin/login', '/admin/webhooks/ep_123'])(
    'answers %s with the page, uncached, under a strict CSP',
    async (url) => {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['content-security-policy']).toBe(ADMIN_UI_CSP);
      expect(res.body).toContain('<script type="module" src="/admin/app.js"></script>');
    },
  );

  it('serves the scripts and styles as written, with the same headers', async () => {
    for (const [url, type] of [
      ['/admin/app.js', 'text/javascript; charset=utf-8'],
      ['/admin/pages/login.js', 'text/javascript; charset=utf-8'],
      ['/admin/styles.css', 'text/css; charset=utf-8'],
    ] as const) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe(type);
      expect(res.headers['content-security-policy']).toBe(ADMIN_UI_CSP);
      expect(res.body).toBe(fs.readFileSync(path.join(ADMIN_UI_DIR, url.slice('/admin/'.length)), 'utf8'));
    }
  });

  it.each(['/admin/missing.js', '/admin/api/other', '/admin/api', '/admin/../package.json'])(
    'answers %s with 404, never the page',
    async (url) => {
      expect((await app.inject({ method: 'GET', url })).statusCode).toBe(404);
    },
  );

  it('has no inline script or style for the CSP to refuse', () => {
    const html = fs.readFileSync(path.join(ADMIN_UI_DIR, 'index.html'), 'utf8');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=/);
    expect(ADMIN_UI_CSP).toMatch(/^default-src 'self'; script-src 'self'; style-src 'self';/);
    expect(ADMIN_UI_CSP).not.toContain('unsafe');
  });
});
