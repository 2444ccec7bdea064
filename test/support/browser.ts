/**
 * A headless browser for the admin console's tests: Debian's Chromium (never a downloaded
 * one) driven by playwright-core, in a fresh profile, with every `*.localhost` tenant host
 * resolved to the loopback gateway. Script errors and console errors of every page it opens
 * are collected, so a test can assert there were none it did not expect.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BrowserContext, chromium, Page } from 'playwright-core';
import { REPO_ROOT } from './herald-process';

export const CHROMIUM = '/usr/bin/chromium';
/** Where the tests write their screenshots (git-ignored). */
export const SCREENSHOTS = path.join(REPO_ROOT, 'test-results', 'screenshots');

export interface TestBrowser {
  context: BrowserContext;
  /** Script errors and console errors of every page opened with `newPage`, in order. */
  pageErrors: string[];
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

export async function launchTestBrowser(
  viewport: { width: number; height: number } = { width: 1280, height: 800 },
): Promise<TestBrowser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)`);
  }
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      // Without these, Chromium dials Google's hosts at start, which a closed network refuses.
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // The gateway listens on 127.0.0.1; every tenant host is that address.
      '--host-resolver-rules=MAP *.localhost 127.0.0.1',
    ],
    viewport,
  });
  const pageErrors: string[] = [];
  return {
    context,
    pageErrors,
    async newPage() {
      const page = await context.newPage();
      page.on('pageerror', (err) => pageErrors.push(String(err)));
      page.on('console', (msg) => {
        if (msg.type() === 'error') pageErrors.push(`${msg.text()} (${msg.location().url})`);
      });
      return page;
    },
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}
