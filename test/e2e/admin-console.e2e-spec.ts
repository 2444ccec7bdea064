/**
 * The admin console's pages in a real browser (Debian's headless Chromium driven by
 * playwright-core) against the gateway and the dispatcher with its delivery workers on the
 * run's Kafka and Postgres, delivering to an HTTPS receiver on loopback: an API key and an
 * OAuth client secret each shown exactly once, the client's token metered and then revoked,
 * an endpoint registered on the receiver, a test event with custom data delivered and signed, its signature read in the delivery log, a rotation whose next
 * delivery carries `v1_prev`, a replay, settings, the audit log, the health card turning
 * from green when an endpoint fails, and a second tenant's admin seeing none of it.
 * Every wait is on the page's DOM or on the receiver's requests. Screenshots of each page go
 * to test-results/screenshots/ (git-ignored).
 */
import { AdminsRepository, generatePassword } from '@herald/access';
import { TenantsRepository } from '@herald/platform';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { DispatcherModule } from '../../apps/dispatcher/src/dispatcher.module';
import { GatewayModule } from '../../apps/gateway/src/gateway.module';
import { apiRequest, mintTestKey } from '../support/api-keys';
import { basic, form, tokenRequest } from '../support/oauth';
import { startTestApp, TestApp } from '../support/app';
import { launchTestBrowser, SCREENSHOTS, TestBrowser } from '../support/browser';
import { eventually, uniqueName } from '../support/infra';
import { createTestCa, TestCa } from '../support/tls';
import {
  ReceivedRequest,
  startWebhookReceiver,
  verifyMobieusSignature,
  WebhookReceiver,
} from '../support/webhook-receiver';

jest.setTimeout(180_000);

describe('admin console pages in a browser', () => {
  let t: TestApp;
  let ca: TestCa;
  let receiver: WebhookReceiver;
  let browser: TestBrowser;
  let port: string;
  let page: Page;
  const a = uniqueName('uic-a');
  const b = uniqueName('uic-b');
  const emailA = 'ops@acme.example';
  const emailB = 'ops@beta.example';
  const passwordA = generatePassword();
  const passwordB = generatePassword();
  let mintedKey = '';
  let endpointId = '';
  let firstSecret = '';

  const urlOf = (tenant: string, p = '/admin') => `http://${tenant}.localhost:${port}${p}`;
  const shot = (p: Page, name: string) =>
    p.screenshot({ path: path.join(SCREENSHOTS, `console-${name}.png`), fullPage: true });
  const dialog = () => page.locator('dialog[open]');
  const endpointRow = (id: string) => page.locator(`tr[data-endpoint-id="${id}"]`);

  const newPage = (): Promise<Page> => browser.newPage();

  async function logIn(p: Page, tenant: string, email: string, password: string): Promise<void> {
    await p.goto(urlOf(tenant));
    await p.getByLabel('Email').fill(email);
    await p.getByLabel('Password').fill(password);
    await p.getByLabel('Password').press('Enter');
    await p.getByTestId('signed-in-email').waitFor();
  }

  async function go(p: Page, section: string, heading: string): Promise<void> {
    await p.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: section }).click();
    await p.getByRole('heading', { level: 1, name: heading }).waitFor();
  }

  /** Requests of the receiver for `eventId`, once there are at least `count`. */
  async function receivedFor(eventId: string, count = 1): Promise<ReceivedRequest[]> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const got = receiver.requests.filter((r) => r.headers['mobieus-event-id'] === eventId);
      if (got.length >= count) return got;
      if (Date.now() > deadline)
        throw new Error(`the receiver did not get ${count} request(s) for ${eventId}`);
      await receiver
        .waitForRequests(receiver.requests.length + 1, deadline - Date.now())
        .catch(() => undefined);
    }
  }

  /** Sends a test event from the open endpoint's Test dialog and waits for `succeeded`; returns the event id. */
  async function sendTest(data?: string, status = 'succeeded'): Promise<string> {
    await dialog().getByRole('heading', { name: 'Send a test event' }).waitFor();
    if (data !== undefined) await dialog().getByLabel('Custom data (optional JSON object)').fill(data);
    await dialog().getByRole('button', { name: 'Send test event' }).click();
    const result = dialog().getByTestId('test-result');
    await result.locator(`[data-status="${status}"]`).waitFor({ timeout: 60_000 });
    return (await result.getAttribute('data-event-id'))!;
  }

  beforeAll(async () => {
    ca = createTestCa();
    receiver = await startWebhookReceiver({ ca });
    receiver.behave((req) => ({ status: req.path.startsWith('/fail') ? 500 : 204 }));
    t = await startTestApp([GatewayModule, DispatcherModule], {
      webhookAllowCidrs: ['127.0.0.1/32'],
      webhookCaFile: ca.certFile,
    });
    port = new URL(t.baseUrl).port;
    await new TenantsRepository(t.ds).create(a, 'Acme Support');
    await new TenantsRepository(t.ds).create(b, 'Beta Forum');
    const admins = new AdminsRepository(t.ds);
    await admins.create({ tenant: a, email: emailA, password: passwordA, actor: 'test' });
    await admins.create({ tenant: b, email: emailB, password: passwordB, actor: 'test' });
    browser = await launchTestBrowser({ width: 1280, height: 900 });
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: urlOf(a, '') });
    page = await newPage();
    await logIn(page, a, emailA, passwordA);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await receiver?.close();
    ca?.dispose();
  });

  it('mints an API key shown exactly once; the list keeps only its prefix', async () => {
    await go(page, 'API keys', 'API keys');
    await page.getByTestId('empty').waitFor();
    await shot(page, 'keys-empty');

    await page.getByRole('button', { name: 'Create key' }).click();
    await dialog().getByLabel('Label').fill('forum sync');
    await dialog()
      .getByRole('checkbox', { name: /webhooks:manage/ })
      .check();
    await dialog().getByLabel('Rate limit per minute').fill('0');
    await dialog().getByLabel('Label').press('Enter');
    // The API's problem shows inline next to its field, and nothing was created.
    await dialog()
      .locator('#' + (await dialog().getByLabel('Rate limit per minute').getAttribute('id')) + '-problem')
      .waitFor();
    expect(await dialog().getByLabel('Rate limit per minute').getAttribute('aria-invalid')).toBe('true');
    await shot(page, 'keys-create-error');
    await dialog().getByLabel('Rate limit per minute').fill('');
    await dialog().getByLabel('Label').press('Enter');

    const secret = dialog().getByTestId('secret-value');
    await secret.waitFor();
    mintedKey = await secret.inputValue();
    expect(mintedKey).toMatch(/^mc_live_[A-Za-z0-9_-]{43}$/);
    await dialog().getByText('you will not see it again').waitFor();
    await dialog().getByRole('button', { name: 'Copy' }).click();
    await dialog().getByRole('button', { name: 'Copied' }).waitFor();
    // The spec is compiled without the DOM library: reach the browser's clipboard by name.
    const clipboard = await page.evaluate(() =>
      (
        globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }
      ).navigator.clipboard.readText(),
    );
    expect(clipboard).toBe(mintedKey);
    await shot(page, 'keys-created-once');
    await page.keyboard.press('Escape');
    await dialog().waitFor({ state: 'detached' });

    const row = page.locator('tr[data-key-id]');
    await row.first().waitFor();
    expect(await row.count()).toBe(1);
    const prefix = (await row.getByTestId('key-prefix').textContent())!.replace('…', '');
    expect(mintedKey.startsWith(prefix)).toBe(true);
    expect(await row.textContent()).toContain('webhooks:manage');
    expect(await page.content()).not.toContain(mintedKey);

    // The key works, and its use shows in the 24 h figures and the hourly bars.
    expect((await apiRequest(t.baseUrl, '/api/v1/webhooks', { tenant: a, key: mintedKey })).status).toBe(200);
    // Usage is recorded in the background: reload until the request shows.
    await eventually(async () => {
      await page.reload();
      await row.first().waitFor();
      return (await row.locator('td.num').first().textContent()) === '1';
    });
    expect(await page.content()).not.toContain(mintedKey);
    await row.getByRole('button', { name: 'Usage' }).click();
    await dialog().getByTestId('usage-totals').getByText('1 request, 0 errors', { exact: false }).waitFor();
    expect(await dialog().locator('.bar').count()).toBe(24);
    await shot(page, 'keys-usage');
    await page.keyboard.press('Escape');
    await shot(page, 'keys');
  });

  it('creates an OAuth client whose secret is shown exactly once, shows its usage, and revokes it', async () => {
    await go(page, 'OAuth clients', 'OAuth clients');
    await page.getByTestId('empty').waitFor();
    await page.getByRole('button', { name: 'Create client' }).click();
    await dialog().getByLabel('Label').fill('nightly export');
    await dialog()
      .getByRole('checkbox', { name: /events:read/ })
      .check();
    await dialog().getByLabel('Label').press('Enter');
    const secret = dialog().getByTestId('secret-value');
    await secret.waitFor();
    const clientSecret = await secret.inputValue();
    expect(clientSecret).toMatch(/^mc_cs_[A-Za-z0-9_-]{43}$/);
    await dialog().getByText('you will not see it again').waitFor();
    const note = (await dialog().textContent())!;
    const clientId = /Client ID: (client_[0-9A-Z]{26})/.exec(note)?.[1];
    expect(clientId).toEqual(expect.any(String));
    await shot(page, 'clients-created-once');
    await dialog().getByRole('button', { name: 'Done' }).click();
    await dialog().waitFor({ state: 'detached' });

    const row = page.locator(`tr[data-client-id="${clientId}"]`);
    await row.waitFor();
    expect(await page.locator('tr[data-client-id]').count()).toBe(1);
    const prefix = (await row.getByTestId('secret-prefix').textContent())!.replace('…', '');
    expect(clientSecret.startsWith(prefix)).toBe(true);
    expect(await row.textContent()).toContain('events:read');
    expect(await page.content()).not.toContain(clientSecret);

    // The credentials get a token that works; its use shows in the 24 h figures and the bars.
    const issued = await tokenRequest(t, a, form({ grant_type: 'client_credentials' }), {
      authorization: basic(clientId!, clientSecret),
    });
    expect(issued.status).toBe(200);
    const token: string = issued.body.access_token;
    expect((await apiRequest(t.baseUrl, '/api/v1/events', { tenant: a, key: token })).status).toBe(200);
    await eventually(async () => {
      await page.reload();
      await row.waitFor();
      return (await row.locator('td.num').first().textContent()) === '1';
    });
    expect(await page.content()).not.toContain(clientSecret);
    await row.getByRole('button', { name: 'Usage' }).click();
    await dialog().getByTestId('usage-totals').getByText('1 request, 0 errors', { exact: false }).waitFor();
    expect(await dialog().locator('.bar').count()).toBe(24);
    await page.keyboard.press('Escape');
    await dialog().waitFor({ state: 'detached' });
    await shot(page, 'clients');

    // Revoking asks first; then the token is refused at once.
    await row.getByRole('button', { name: 'Revoke' }).click();
    await dialog().getByRole('button', { name: 'Revoke client' }).click();
    await row.getByText('Revoked').waitFor();
    expect(await row.getByRole('button', { name: 'Revoke' }).count()).toBe(0);
    const refused = await apiRequest(t.baseUrl, '/api/v1/events', { tenant: a, key: token });
    expect([refused.status, refused.body.error.code]).toEqual([401, 'invalid_token']);
    await shot(page, 'clients-revoked');
  });

  it('registers an endpoint on the receiver; the secret is shown once', async () => {
    await go(page, 'Webhooks', 'Webhooks');
    await page.getByTestId('empty').waitFor();
    await page.getByRole('button', { name: 'Register endpoint' }).click();
    await dialog().getByLabel('URL').fill(`${receiver.url}/ok`);
    await dialog().getByLabel('Label').fill('Receiver');
    await shot(page, 'webhooks-register');
    await dialog().getByLabel('Label').press('Enter');
    const secret = dialog().getByTestId('secret-value');
    await secret.waitFor();
    firstSecret = await secret.inputValue();
    expect(firstSecret).toMatch(/^whsec_/);
    await dialog().getByRole('button', { name: 'Done' }).click();
    const row = page.locator('tr[data-endpoint-id]');
    await row.first().waitFor();
    endpointId = (await row.first().getAttribute('data-endpoint-id'))!;
    expect(await row.first().textContent()).toContain('Active');
    expect(await page.content()).not.toContain(firstSecret);
    await shot(page, 'webhooks');
  });

  it('sends a test event with custom data; its delivery succeeds, signed, with that data', async () => {
    await endpointRow(endpointId).getByRole('button', { name: 'Test' }).click();
    await dialog().getByLabel('Custom data (optional JSON object)').fill('[1, 2]');
    await dialog().getByRole('button', { name: 'Send test event' }).click();
    await dialog().getByText('The data must be a JSON object').waitFor();
    const eventId = await sendTest('{"hello": "from the console"}');
    await shot(page, 'webhooks-test-event');
    await page.keyboard.press('Escape');
    await dialog().waitFor({ state: 'detached' });
    const [got] = await receivedFor(eventId);
    const body = JSON.parse(got!.body);
    expect(body.data).toMatchObject({ hello: 'from the console' });
    expect(
      verifyMobieusSignature(firstSecret, got!.headers['mobieus-signature'], got!.rawBody),
    ).toMatchObject({
      valid: true,
      matched: 'v1',
    });
  });

  it('shows the delivery log with the signature as sent, rotates, and replays', async () => {
    await endpointRow(endpointId).getByRole('link').click();
    await page.waitForURL(urlOf(a, `/admin/webhooks/${endpointId}`));
    const delivery = page.locator('tr[data-delivery-id]').first();
    await delivery.waitFor();
    const eventId = (await delivery.getAttribute('data-event-id'))!;
    await delivery.getByRole('button', { name: 'Details' }).click();
    const signature = page.getByTestId('signature').first();
    await signature.waitFor();
    const [got] = await receivedFor(eventId);
    expect(await signature.textContent()).toBe(got!.headers['mobieus-signature']);
    // The payload shown is the body the receiver got (a test event, which the feed never keeps).
    const payload = page.getByTestId('payload').first();
    await payload.filter({ hasText: eventId }).waitFor();
    expect(JSON.parse((await payload.textContent())!)).toEqual(JSON.parse(got!.body));
    await shot(page, 'webhook-detail');

    // Rotate with a 1 h grace: the next delivery carries v1 (new) and v1_prev (old).
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await dialog().getByLabel('Grace window').selectOption('3600');
    await dialog().getByRole('button', { name: 'Rotate secret' }).click();
    const secret = dialog().getByTestId('secret-value');
    await secret.waitFor();
    const newSecret = await secret.inputValue();
    expect(newSecret).not.toBe(firstSecret);
    await dialog().getByRole('button', { name: 'Done' }).click();
    await page.getByText('signs as v1_prev until').waitFor();
    await page.getByRole('button', { name: 'Test', exact: true }).click();
    const rotatedEvent = await sendTest();
    await page.keyboard.press('Escape');
    const [rotated] = await receivedFor(rotatedEvent);
    expect(rotated!.headers['mobieus-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64},v1_prev=[0-9a-f]{64}$/);
    const sig = rotated!.headers['mobieus-signature'];
    expect(verifyMobieusSignature(newSecret, sig, rotated!.rawBody).matched).toBe('v1');
    expect(verifyMobieusSignature(firstSecret, sig, rotated!.rawBody).matched).toBe('v1_prev');

    // Replay the first delivery: the receiver gets its event again.
    await page.getByRole('button', { name: 'Refresh' }).click();
    const first = page.locator(`tr[data-event-id="${eventId}"]`).first();
    await first.getByRole('button', { name: 'Replay' }).click();
    await receivedFor(eventId, 2);
    // A replay runs the same delivery again: its row counts the second attempt once it is recorded.
    await eventually(async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      const row = page.locator(`tr[data-event-id="${eventId}"]`);
      await row.locator('[data-status]').waitFor();
      return /^2 of \d+$/.test((await row.locator('td.num').textContent()) ?? '');
    });
    await shot(page, 'webhook-detail-replayed');

    await page.getByLabel('Status').selectOption('succeeded');
    await page.locator('tr[data-delivery-id] [data-status="succeeded"]').first().waitFor();
    expect(
      await page.locator('tr[data-delivery-id] [data-status]:not([data-status="succeeded"])').count(),
    ).toBe(0);
  });

  it('saves settings, with the API naming a wrong value inline', async () => {
    await go(page, 'Settings', 'Settings');
    const before = await page.getByLabel('Retry schedule').inputValue();
    await page.getByLabel('Retry schedule').fill('0, 2s');
    await page.getByLabel('Attempt timeout (ms)').fill('5');
    await page.getByLabel('Attempt timeout (ms)').press('Enter');
    await page.getByRole('alert').getByText('invalid_settings', { exact: false }).waitFor();
    expect(await page.getByLabel('Attempt timeout (ms)').getAttribute('aria-invalid')).toBe('true');
    await shot(page, 'settings-error');
    // All or nothing: the valid schedule sent beside the bad timeout was not saved either.
    const stored = await page.evaluate(
      async () =>
        ((await (await fetch('/api/v1/settings')).json()) as { data: { retry_schedule: string[] } }).data,
    );
    expect(stored.retry_schedule.join(', ')).toBe(before);
    await page.getByLabel('Attempt timeout (ms)').fill('5000');
    await page.getByLabel('Retry schedule').fill('0, 1s');
    await page.getByLabel('Retry schedule').press('Enter');
    await page.getByText('Settings saved.').waitFor();
    await page.reload();
    await page.getByLabel('Retry schedule').waitFor();
    expect(await page.getByLabel('Retry schedule').inputValue()).toBe('0, 1s');
    expect(await page.getByLabel('Attempt timeout (ms)').inputValue()).toBe('5000');
    await shot(page, 'settings');
  });

  it('turns the health card from green when an endpoint fails', async () => {
    await go(page, 'Dashboard', 'Dashboard');
    await page.locator('[data-testid="health-card"][data-status="green"]').waitFor();
    await shot(page, 'dashboard-green');

    await go(page, 'Webhooks', 'Webhooks');
    await page.getByRole('button', { name: 'Register endpoint' }).click();
    await dialog().getByLabel('URL').fill(`${receiver.url}/fail`);
    await dialog().getByLabel('Label').fill('Failing');
    await dialog().getByLabel('Label').press('Enter');
    await dialog().getByTestId('secret-value').waitFor();
    await dialog().getByRole('button', { name: 'Done' }).click();
    const failing = page.locator('tr[data-endpoint-id]', { hasText: 'Failing' });
    await failing.waitFor();
    await failing.getByRole('button', { name: 'Test' }).click();
    await sendTest(undefined, 'retrying');
    await page.keyboard.press('Escape');

    await go(page, 'Dashboard', 'Dashboard');
    const card = page.getByTestId('health-card');
    await card.waitFor();
    expect(['amber', 'red']).toContain(await card.getAttribute('data-status'));
    expect(await page.getByTestId('health-success-rate').textContent()).toMatch(/^\d+\.\d %$/);
    await shot(page, 'dashboard-failing');
  });

  it('edits, disables and enables an endpoint, deletes one and revokes a key, each destructive step confirmed', async () => {
    await go(page, 'Webhooks', 'Webhooks');
    const row = endpointRow(endpointId);
    await row.getByRole('button', { name: 'Edit' }).click();
    await dialog().getByRole('checkbox', { name: '* every event' }).uncheck();
    await dialog().getByRole('checkbox', { name: 'post.*', exact: true }).check();
    await dialog().getByRole('button', { name: 'Add filter' }).click();
    await dialog().getByLabel('Filter path').fill('data.no_such_field');
    await dialog().getByLabel('Required value').fill('general');
    await dialog().getByLabel('Required value').press('Enter');
    // The API refuses the path; nothing was saved.
    await dialog().getByRole('alert').getByText('invalid_endpoint', { exact: false }).waitFor();
    await shot(page, 'webhooks-edit-error');
    await dialog().getByLabel('Filter path').fill('data.forum_slug');
    await dialog().getByLabel('Label').fill('Receiver (posts)');
    await dialog().getByLabel('Label').press('Enter');
    await dialog().waitFor({ state: 'detached' });
    await row.getByText('Receiver (posts)').waitFor();
    expect(await row.textContent()).toContain('post.*');
    const stored = await apiRequest(t.baseUrl, `/api/v1/webhooks/${endpointId}`, {
      tenant: a,
      key: mintedKey,
    });
    expect(stored.body.data).toMatchObject({ events: ['post.*'], filters: { 'data.forum_slug': 'general' } });

    // Disabling asks first; Cancel changes nothing.
    await row.getByRole('button', { name: 'Disable' }).click();
    await dialog().getByRole('heading', { name: 'Disable this endpoint?' }).waitFor();
    await page.keyboard.press('Escape');
    await dialog().waitFor({ state: 'detached' });
    expect(await row.textContent()).toContain('Active');
    await row.getByRole('button', { name: 'Disable' }).click();
    await dialog().getByRole('button', { name: 'Disable endpoint' }).click();
    await row.getByRole('button', { name: 'Enable' }).waitFor();
    expect(await row.textContent()).toContain('Disabled');
    await shot(page, 'webhooks-disabled');
    await row.getByRole('button', { name: 'Enable' }).click();
    await row.getByRole('button', { name: 'Disable' }).waitFor();

    const failing = page.locator('tr[data-endpoint-id]', { hasText: 'Failing' });
    await failing.getByRole('button', { name: 'Delete' }).click();
    await dialog().getByRole('button', { name: 'Delete endpoint' }).click();
    await failing.waitFor({ state: 'detached' });
    expect(await page.locator('tr[data-endpoint-id]').count()).toBe(1);

    await go(page, 'API keys', 'API keys');
    const key = page.locator('tr[data-key-id]');
    await key.getByRole('button', { name: 'Revoke' }).click();
    await dialog().getByRole('button', { name: 'Revoke key' }).click();
    await key.getByText('Revoked').waitFor();
    expect(await key.getByRole('button', { name: 'Revoke' }).count()).toBe(0);
    expect((await apiRequest(t.baseUrl, '/api/v1/webhooks', { tenant: a, key: mintedKey })).status).toBe(401);
    await shot(page, 'keys-revoked');
  });

  it('lists what the admin did in the audit log, filtered and paged', async () => {
    await go(page, 'Audit log', 'Audit log');
    await page.locator('tr[data-audit-id]').first().waitFor();
    expect(await page.getByTestId('audit-table').textContent()).toContain(`admin:${emailA}`);
    await page.getByLabel('Action').fill('api_key.*');
    await page.getByLabel('Action').press('Enter');
    await page.locator('[data-testid="audit-results"][data-action="api_key.*"]').waitFor();
    await page.locator('tr[data-audit-id]', { hasText: 'api_key.created' }).first().waitFor();
    await expect(
      page
        .locator('tr[data-audit-id]')
        .evaluateAll((rows) => rows.every((r) => r.textContent!.includes('api_key.'))),
    ).resolves.toBe(true);
    await shot(page, 'audit-log');

    // 60 more changes: the first page holds 50, "Load more" brings the rest.
    const writer = await mintTestKey(t.ds, a, ['webhooks:manage']);
    for (let i = 0; i < 60; i++) {
      const res = await apiRequest(t.baseUrl, `/api/v1/webhooks/${endpointId}`, {
        tenant: a,
        key: writer.key,
        method: 'PATCH',
        body: { label: `Receiver ${i}` },
      });
      expect(res.status).toBe(200);
    }
    await page.getByLabel('Action').fill('webhook_endpoint.updated');
    await page.getByLabel('Action').press('Enter');
    await page.locator('[data-testid="audit-results"][data-action="webhook_endpoint.updated"]').waitFor();
    const rows = page.locator('tr[data-audit-id]');
    await page.getByRole('button', { name: 'Load more' }).waitFor();
    expect(await rows.count()).toBe(50);
    await page.getByRole('button', { name: 'Load more' }).click();
    // The console's own edit of the endpoint is there too: 61 at least, and no more pages.
    await rows.nth(60).waitFor();
    await page.locator('#load-more').waitFor({ state: 'hidden' });
    const ids = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-audit-id')));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("shows tenant B's admin none of tenant A's keys, clients, endpoints or audit", async () => {
    const other = await newPage();
    await logIn(other, b, emailB, passwordB);
    await go(other, 'API keys', 'API keys');
    await other.getByTestId('empty').waitFor();
    await go(other, 'OAuth clients', 'OAuth clients');
    await other.getByTestId('empty').waitFor();
    await go(other, 'Webhooks', 'Webhooks');
    await other.getByTestId('empty').waitFor();
    await other.goto(urlOf(b, `/admin/webhooks/${endpointId}`));
    await other.getByRole('alert').waitFor();
    await go(other, 'Audit log', 'Audit log');
    await other.getByTestId('audit-results').locator('table, .empty').first().waitFor();
    expect(await other.getByTestId('audit-results').textContent()).not.toContain(emailA);
    await shot(other, 'tenant-b-webhooks');
    await other.close();
  });

  it('ran without script errors or CSP violations', () => {
    // Expected 4xx answers (the inline-error checks, B asking for A's endpoint) are network errors in the console.
    const unexpected = browser.pageErrors.filter((e) => !/status of 4\d\d/.test(e));
    expect(unexpected).toEqual([]);
  });
});
