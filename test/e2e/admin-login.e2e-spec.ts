/**
 * The admin console in a real browser (Debian's headless Chromium driven by playwright-core,
 * never a downloaded browser) against the real gateway and Postgres: the login form, the
 * shell after login, a reload that keeps the session, client-side routes served on reload,
 * logout, the inline error of a wrong password, the lockout message, and a session cookie of
 * tenant B refused on tenant A. Screenshots go to test-results/screenshots/ (git-ignored).
 */
import { AdminsRepository, generatePassword } from '@herald/access';
import { TenantsRepository } from '@herald/platform';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { GatewayModule } from '../../apps/gateway/src/gateway.module';
import { apiRequest } from '../support/api-keys';
import { startTestApp, TestApp } from '../support/app';
import { launchTestBrowser, SCREENSHOTS, TestBrowser } from '../support/browser';
import { uniqueName } from '../support/infra';

jest.setTimeout(120_000);

describe('admin console in a browser', () => {
  let t: TestApp;
  let browser: TestBrowser;
  let port: string;
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

  const newPage = (): Promise<Page> => browser.newPage();

  async function logIn(page: Page, email: string, password: string): Promise<void> {
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    // Enter submits, as in any form.
    await page.getByLabel('Password').press('Enter');
  }

  beforeAll(async () => {
    t = await startTestApp([GatewayModule]);
    port = new URL(t.baseUrl).port;
    await new TenantsRepository(t.ds).create(a, 'Acme Support');
    await new TenantsRepository(t.ds).create(b, 'Beta Forum');
    const admins = new AdminsRepository(t.ds);
    await admins.create({ tenant: a, email: emailA, password: passwordA, actor: 'test' });
    await admins.create({ tenant: a, email: lockedEmail, password: generatePassword(), actor: 'test' });
    await admins.create({ tenant: b, email: emailB, password: passwordB, actor: 'test' });
    browser = await launchTestBrowser();
  });
  afterAll(async () => {
    await browser?.close();
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
      'OAuth clients',
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
    const cookie = (await browser.context.cookies(urlOf(b))).find((c) => c.name === 'herald_admin_session');
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
    const unexpected = browser.pageErrors.filter((e) => !/status of 40[13]|status of 429/.test(e));
    expect(unexpected).toEqual([]);
  });
});
