/**
 * The config `herald dev` builds its roles with for the demo receiver: the receiver's exact
 * origin is allowed, not its address, so every other port of 127.0.0.1 (and every other
 * internal address) stays refused by the SSRF guard.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '@herald/platform';
import { cidrContains, parseCidr } from '@herald/webhooks/ssrf/cidr';
import { parseIpLiteral } from '@herald/webhooks/ssrf/ip-address';
import { HostResolver, SsrfGuard } from '@herald/webhooks/ssrf/ssrf-guard';
import { internalUrls, REBINDING_NAMES, rebindingUrls } from '../../../../test/fixtures/internal-urls';
import { DemoStart, startDemoWebhooks } from './demo-webhooks';

const resolver: HostResolver = {
  resolve: async (name) => REBINDING_NAMES[name] ?? [],
};

describe('startDemoWebhooks', () => {
  let dir: string;
  let start: DemoStart;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-demo-config-'));
    const base = loadConfig({ HERALD_DATA_DIR: dir, LOG_LEVEL: 'silent' }, { projectRoot: dir });
    start = await startDemoWebhooks(base, { enabled: true, port: 0 }, (line) => {
      throw new Error(`unexpected: ${line}`);
    });
  });

  afterAll(async () => {
    await start?.demo?.receiver.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('allows the receiver by its exact origin, and no CIDR holding 127.0.0.1 or ::1', () => {
    const receiver = start.demo!.receiver;
    expect(receiver.origin).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(start.config.webhookAllowOrigins).toEqual([receiver.origin]);
    expect(start.demo!.allowedOrigin).toBe(receiver.origin);
    const loopbacks = ['127.0.0.1', '::1', '::ffff:127.0.0.1'].map((ip) => parseIpLiteral(ip)!);
    const wide = start.config.webhookAllowCidrs.filter((c) =>
      loopbacks.some((ip) => cidrContains(parseCidr(c), ip)),
    );
    expect(wide).toEqual([]);
  });

  it('builds a guard that lets the receiver through and refuses every internal URL', async () => {
    const receiver = start.demo!.receiver;
    const guard = new SsrfGuard(start.config.webhookAllowCidrs, resolver, start.config.webhookAllowOrigins);
    await expect(guard.checkRegistration(receiver.webhookUrl)).resolves.toBeNull();
    const port = Number(new URL(receiver.origin).port);
    const corpus = [...internalUrls(port), ...rebindingUrls(port)];
    expect(corpus.length).toBeGreaterThanOrEqual(60);
    const allowed: string[] = [];
    for (const url of corpus) if ((await guard.checkRegistration(url)) === null) allowed.push(url);
    expect(allowed).toEqual([]);
  });
});
