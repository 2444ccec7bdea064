/**
 * The SSRF guard at connect time, over real sockets: an undici Agent whose connector is
 * the guard dials the address it checked, with TLS verified against the original name. A
 * name that rebinds to a forbidden address after registration is refused before any byte
 * leaves, which a second receiver on 127.0.0.2 (same port) proves by seeing nothing.
 */
import { Agent, request } from 'undici';
import { HostResolver, SsrfGuard } from '../../libs/webhooks/src/ssrf/ssrf-guard';
import { createTestCa, TestCa } from '../support/tls';
import { startWebhookReceiver, WebhookReceiver } from '../support/webhook-receiver';

/** A DNS the test controls, so a name can point somewhere else between two lookups. */
class SwitchableResolver implements HostResolver {
  readonly table = new Map<string, string[]>();
  readonly lookups: string[] = [];
  async resolve(hostname: string): Promise<string[]> {
    this.lookups.push(hostname);
    return this.table.get(hostname) ?? [];
  }
}

const NAME = 'hooks.example.com';

describe('SSRF guard at connect time (real HTTPS through undici)', () => {
  let ca: TestCa;
  let primary: WebhookReceiver;
  let secondary: WebhookReceiver;
  const resolver = new SwitchableResolver();
  const url = (host: string) => `https://${host}:${primary.port}/hook`;

  beforeAll(async () => {
    ca = createTestCa();
    const behaviour = { status: 200, body: 'ok' };
    primary = await startWebhookReceiver({
      ca,
      cert: ca.issue({ name: 'hooks-primary', dns: [NAME], ips: ['127.0.0.1'] }),
      behaviour,
    });
    secondary = await startWebhookReceiver({
      ca,
      host: '127.0.0.2',
      port: primary.port,
      cert: ca.issue({ name: 'hooks-secondary', dns: [NAME], ips: ['127.0.0.2'] }),
      behaviour,
    });
  });

  afterAll(async () => {
    await primary?.close();
    await secondary?.close();
    ca?.dispose();
  });

  beforeEach(() => {
    primary.reset();
    secondary.reset();
    resolver.table.clear();
  });

  /** One POST through a fresh Agent, so every request makes (and checks) a new connection. */
  async function post(guard: SsrfGuard, target: string): Promise<{ status: number; body: string }> {
    const agent = new Agent({ connect: guard.connector({ ca: [ca.cert] }) });
    try {
      const res = await request(target, { method: 'POST', body: '{"ping":true}', dispatcher: agent });
      return { status: res.statusCode, body: await res.body.text() };
    } finally {
      await agent.close();
    }
  }

  it('dials the checked address for a name and verifies the certificate against the name', async () => {
    resolver.table.set(NAME, ['127.0.0.1']);
    const guard = new SsrfGuard(['127.0.0.1/32'], resolver);
    await expect(post(guard, url(NAME))).resolves.toEqual({ status: 200, body: 'ok' });
    expect(primary.requests).toHaveLength(1);
    expect(primary.requests[0]).toMatchObject({
      method: 'POST',
      path: '/hook',
      body: '{"ping":true}',
      headers: expect.objectContaining({ host: `${NAME}:${primary.port}` }),
      remoteAddress: '127.0.0.1',
    });
    expect(resolver.lookups.at(-1)).toBe(NAME);
  });

  it('refuses once the name points outside the allow list, and nothing reaches that address', async () => {
    resolver.table.set(NAME, ['127.0.0.2']);
    const guard = new SsrfGuard(['127.0.0.1/32'], resolver);
    await expect(post(guard, url(NAME))).rejects.toThrow(/^ssrf: 127\.0\.0\.2 is loopback$/);
    expect(secondary.connections).toBe(0);
    expect(secondary.requests).toHaveLength(0);
    expect(primary.connections).toBe(0);

    // The second receiver is reachable when allowed, so its silence above is the guard's doing.
    const wider = new SsrfGuard(['127.0.0.0/8'], resolver);
    await expect(post(wider, url(NAME))).resolves.toEqual({ status: 200, body: 'ok' });
    expect(secondary.requests).toHaveLength(1);
  });

  it('defeats DNS rebinding: registration saw a public address, the connector refuses loopback', async () => {
    const guard = new SsrfGuard([], resolver);
    resolver.table.set(NAME, ['93.184.216.34']);
    await expect(guard.checkRegistration(url(NAME))).resolves.toBeNull();

    resolver.table.set(NAME, ['127.0.0.1']);
    await expect(post(guard, url(NAME))).rejects.toThrow('ssrf: 127.0.0.1 is loopback');
    expect(primary.connections).toBe(0);
    expect(primary.requests).toHaveLength(0);
  });

  it('picks the allowed address among several, never a refused one', async () => {
    resolver.table.set(NAME, ['10.0.0.1', '127.0.0.2', '127.0.0.1']);
    const guard = new SsrfGuard(['127.0.0.1/32'], resolver);
    await expect(post(guard, url(NAME))).resolves.toEqual({ status: 200, body: 'ok' });
    expect(primary.requests).toHaveLength(1);
    expect(secondary.connections).toBe(0);
  });

  it('still fails TLS when the certificate does not name the host, though the address is allowed', async () => {
    resolver.table.set('other.example.com', ['127.0.0.1']);
    const guard = new SsrfGuard(['127.0.0.1/32'], resolver);
    await expect(post(guard, url('other.example.com'))).rejects.toMatchObject({
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
    expect(primary.requests).toHaveLength(0);
  });

  it('dials an IP literal as is, verifying the certificate against the IP, only when allowed', async () => {
    await expect(post(new SsrfGuard(['127.0.0.1/32'], resolver), url('127.0.0.1'))).resolves.toEqual({
      status: 200,
      body: 'ok',
    });
    await expect(post(new SsrfGuard([], resolver), url('127.0.0.1'))).rejects.toThrow(
      'ssrf: 127.0.0.1 is loopback',
    );
    expect(primary.requests).toHaveLength(1);
    expect(resolver.lookups).not.toContain('127.0.0.1');
  });

  it('with one exact origin allowed, dials it and nothing else on that address or port', async () => {
    const guard = new SsrfGuard([], resolver, [`https://127.0.0.1:${primary.port}`]);
    await expect(post(guard, url('127.0.0.1'))).resolves.toEqual({ status: 200, body: 'ok' });
    expect(primary.requests).toHaveLength(1);
    primary.reset();

    // A name that resolves to the allowed address is not the allowed origin (DNS rebinding).
    resolver.table.set(NAME, ['127.0.0.1']);
    await expect(post(guard, url(NAME))).rejects.toThrow('ssrf: 127.0.0.1 is loopback');
    // The same port on another loopback address, and the mapped spelling, are other origins.
    await expect(post(guard, url('127.0.0.2'))).rejects.toThrow('ssrf: 127.0.0.2 is loopback');
    await expect(post(guard, url('[::ffff:127.0.0.1]'))).rejects.toThrow(
      /^ssrf: ::ffff:7f00:1 embeds 127\.0\.0\.1/,
    );
    expect(primary.connections).toBe(0);
    expect(secondary.connections).toBe(0);
  });

  it('refuses a loopback name even when its addresses are allowed', async () => {
    const guard = new SsrfGuard(['127.0.0.0/8', '::1/128'], resolver);
    await expect(post(guard, url('localhost'))).rejects.toThrow(
      'ssrf: host localhost is a loopback name (localhost)',
    );
    expect(primary.connections).toBe(0);
  });
});
