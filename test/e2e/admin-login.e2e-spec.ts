/**
 * The admin console in a real browser (Debian's headless Chromium driven by playwright-core,
 * never a downloaded browser) against the real gateway and Postgres: the login form, the
 * shell after login, a reload that keeps the session, client-side routes served on reload,
 * logout, the inline error of a wrong password, the lockout message, and a session cookie of
 * tenant B refused on tenant A. Screenshots go to test-results/screenshots/ (git-ignored).
 */
import { AdminsRepository, generatePassword } from '@herald/access';
import { TenantsRepository } from '@herald/platform';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BrowserContext, chromium, Page } from 'playwright-core';
import { GatewayModule } from '../../apps/gateway/src/gateway.module';
import { apiRequest } from '../support/api-keys';
import { startTestApp, TestApp } from '../support/app';
import { REPO_ROOT } from '../support/herald-process';
import { uniqueName } from '../support/infra';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = path.join(REPO_ROOT, 'test-results', 'screenshots');

jest.setTimeout(120_000);

describe('admin console in a browser', () => {
  let t: TestApp;
  let context: BrowserContext;
  let profile: string;
  let port: string;
  const pageErrors: string[] = [];
  const a = uniqueName('ui-a');
  const b = uniqueName('ui-b');
  const emailA = 'ops@acme.example';
  const emailB = 'ops@beta.example';
  const lockedEmail = 'locked@acme.example';
  const passwordA = generatePassword();
  const passwordB = generatePassword();

  const urlOf = (tenant: string, p = '/admin') => `http://${tenant}.localhost:${port}${p}`;
  const shot = (page: Page, name: string) =>
    page.screenshot({ path: path.join(SCREENSHOTS, `admin-${name}.png`), fullPage: true });

  async function newPage(): Promise<Page> {
    const page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    page.on('console', (msg) => {
      if (msg.type() === 'error') pageErrors.push(`${msg.text()} (${msg.location().url})`);
    });
    return page;
  }

  async function logIn(page: Page, email: string, password: string): Promise<void> {
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    // Enter submits, as in any form.
    await page.getByLabel('Password').press('Enter');
  }

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)`);
    }
    t = await startTestApp([GatewayModule]);
    port = new URL(t.baseUrl).port;
    await new TenantsRepository(t.ds).create(a, 'Acme Support');
    await new TenantsRepository(t.ds).create(b, 'Beta Forum');
    const admins = new AdminsRepository(t.ds);
    await admins.create({ tenant: a, email: emailA, password: passwordA, actor: 'test' });
    await admins.create({ tenant: a, email: lockedEmail, password: generatePassword(), actor: 'test' });
    await admins.create({ tenant: b, email: emailB, password: passwordB, actor: 'test' });
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        // The gateway listens on 127.0.0.1; every tenant host is that address.
        '--host-resolver-rules=MAP *.localhost 127.0.0.1',
      ],
      viewport: { width: 1280, height: 800 },
    });
  });
  afterAll(async () => {
    await context?.close();
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
    await t?.close();
  });

  it('logs in through the form, keeps the session across a reload, and logs out', async () => {
    const page = await newPage();
    const first = await page.goto(urlOf(a));
    expect(first?.status()).toBe(200);
    const headers = first!.headers();
    expect(headers['content-security-policy']).toMatch(
      /^default-src 'self'; script-src 'self'; style-src 'self'/,
    );
    expect(headers['x-frame-options']).toBe('DENY');
    expect(headers['cache-control']).toBe('no-store');

    await page.waitForURL(urlOf(a, '/admin/login'));
    await expect(
      page.getByRole('heading', { name: 'Log in to the admin console' }).isVisible(),
    ).resolves.toBe(true);
    await shot(page, 'login');

    await logIn(page, emailA, passwordA);
    await page.waitForURL(urlOf(a));
    await page.getByTestId('signed-in-email').waitFor();
    expect(await page.getByTestId('signed-in-email').textContent()).toBe(emailA);
    expect(await page.getByTestId('tenant-name').textContent()).toBe('Acme Support');
    const nav = page.getByRole('navigation', { name: 'Sections' }).getByRole('link');
    expect(await nav.allTextContents()).toEqual([
      'Dashboard',
      'API keys',
      'Webhooks',
      'Audit log',
      'Settings',
    ]);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Dashboard');
    await shot(page, 'dashboard');

    await page.reload();
    await page.getByTestId('signed-in-email').waitFor();
    expect(page.url()).toBe(urlOf(a));

    await page.getByRole('link', { name: 'API keys' }).click();
    await page.waitForURL(urlOf(a, '/admin/keys'));
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('API keys');
    // A client-side route is the console page too, when loaded directly.
    await page.reload();
    await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();
    expect(await page.getByRole('link', { name: 'API keys' }).getAttribute('aria-current')).toBe('page');

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(urlOf(a, '/admin/login'));
    await page.getByLabel('Email').waitFor();
    const after = await page.evaluate(async () => (await fetch('/admin/api/session')).status);
    expect(after).toBe(401);
    await page.reload();
    await page.getByLabel('Email').waitFor();
    expect(page.url()).toBe(urlOf(a, '/admin/login'));
    await page.close();
  });

  it('shows an inline error for a wrong password', async () => {
    const page = await newPage();
    await page.goto(urlOf(a));
    await logIn(page, emailA, 'not-the-password');
    const alert = page.getByRole('alert');
    await alert.getByText('The email or password is not correct.').waitFor();
    expect(await page.getByLabel('Password').inputValue()).toBe('');
    expect(await page.locator('#password:focus').count()).toBe(1);
    await shot(page, 'wrong-password');
    await page.close();
  });

  it('shows the lockout and its remaining time after 5 failures', async () => {
    const page = await newPage();
    await page.goto(urlOf(a));
    for (let i = 1; i <= 4; i++) {
      await logIn(page, lockedEmail, `wrong-${i}`);
      await page.getByText('The email or password is not correct.').waitFor();
      await page.getByRole('button', { name: 'Log in' }).and(page.locator(':enabled')).waitFor();
    }
    await logIn(page, lockedEmail, 'wrong-5');
    await page.getByText(/this account is locked\. Try again in (1 min|\d+ s)/).waitFor();
    expect(await page.getByRole('button', { name: 'Log in' }).isDisabled()).toBe(true);
    await shot(page, 'locked');
    await page.close();
  });

  it("refuses tenant B's session cookie on tenant A", async () => {
    const page = await newPage();
    await page.goto(urlOf(b));
    await logIn(page, emailB, passwordB);
    await page.getByTestId('signed-in-email').waitFor();
    expect(await page.getByTestId('tenant-name').textContent()).toBe('Beta Forum');
    const cookie = (await context.cookies(urlOf(b))).find((c) => c.name === 'herald_admin_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    const header = { cookie: `herald_admin_session=${cookie!.value}` };

    expect((await apiRequest(t.baseUrl, '/admin/api/session', { tenant: b, headers: header })).status).toBe(
      200,
    );
    const session = await apiRequest(t.baseUrl, '/admin/api/session', { tenant: a, headers: header });
    expect(session.status).toBe(401);
    expect(session.body.error.code).toBe('not_authenticated');
    const api = await apiRequest(t.baseUrl, '/api/v1/webhooks', { tenant: a, headers: header });
    expect(api.status).toBe(401);
    expect((await apiRequest(t.baseUrl, '/api/v1/webhooks', { tenant: b, headers: header })).status).toBe(
      200,
    );

    // In the browser, A's console does not see B's login at all.
    await page.goto(urlOf(a));
    await page.waitForURL(urlOf(a, '/admin/login'));
    await page.close();
  });

  it('ran without script errors or CSP violations', () => {
    // The login page's expected 401s are network errors in the console; anything else is not.
    const unexpected = pageErrors.filter((e) => !/status of 40[13]|status of 429/.test(e));
    expect(unexpected).toEqual([]);
  });
});
