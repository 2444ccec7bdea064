/**
 * The SSRF rules of DESIGN.md §7, range by range and spelling by spelling, at registration
 * and in the connector (refusals only; dialling is covered by the integration test).
 */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { internalUrls, REBINDING_NAMES, rebindingUrls } from '../../../../test/fixtures/internal-urls';
import type { HostResolver } from './ssrf-guard';
import { SsrfGuard } from './ssrf-guard';

/** A resolver from a fixed table; a name not in it fails like NXDOMAIN. */
class FakeResolver implements HostResolver {
  readonly asked: string[] = [];
  constructor(public table: Record<string, string[]>) {}
  async resolve(hostname: string): Promise<string[]> {
    this.asked.push(hostname);
    const found = this.table[hostname];
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return found;
  }
}

const PUBLIC_V4 = '93.184.216.34';

function guardWith(
  allowCidrs: string[] = [],
  table: Record<string, string[]> = {},
  allowOrigins: string[] = [],
) {
  const resolver = new FakeResolver({ 'hooks.example.com': [PUBLIC_V4], ...table });
  return { guard: new SsrfGuard(allowCidrs, resolver, allowOrigins), resolver };
}

describe('SsrfGuard.checkRegistration', () => {
  const { guard, resolver } = guardWith();

  it.each([
    // IPv4 ranges
    ['https://127.0.0.1/', 'address 127.0.0.1 is loopback'],
    ['https://127.255.255.254/', 'address 127.255.255.254 is loopback'],
    ['https://0.0.0.0/', 'address 0.0.0.0 is in 0.0.0.0/8 ("this network")'],
    ['https://0.1.2.3/', 'address 0.1.2.3 is in 0.0.0.0/8 ("this network")'],
    ['https://10.0.0.1/', 'address 10.0.0.1 is private (RFC 1918)'],
    ['https://10.255.255.255/', 'address 10.255.255.255 is private (RFC 1918)'],
    ['https://172.16.0.1/', 'address 172.16.0.1 is private (RFC 1918)'],
    ['https://172.31.255.255/', 'address 172.31.255.255 is private (RFC 1918)'],
    ['https://192.168.1.1/', 'address 192.168.1.1 is private (RFC 1918)'],
    ['https://100.64.0.1/', 'address 100.64.0.1 is shared address space (carrier-grade NAT, 100.64.0.0/10)'],
    [
      'https://100.127.255.255/',
      'address 100.127.255.255 is shared address space (carrier-grade NAT, 100.64.0.0/10)',
    ],
    ['https://169.254.169.254/', 'address 169.254.169.254 is link-local (the cloud metadata service)'],
    ['https://169.254.1.1/', 'address 169.254.1.1 is link-local'],
    ['https://192.0.0.8/', 'address 192.0.0.8 is reserved (IETF protocol assignments, 192.0.0.0/24)'],
    ['https://192.0.2.1/', 'address 192.0.2.1 is reserved for documentation'],
    ['https://198.51.100.7/', 'address 198.51.100.7 is reserved for documentation'],
    ['https://203.0.113.9/', 'address 203.0.113.9 is reserved for documentation'],
    ['https://198.18.0.1/', 'address 198.18.0.1 is reserved for benchmarking (198.18.0.0/15)'],
    ['https://198.19.255.255/', 'address 198.19.255.255 is reserved for benchmarking (198.18.0.0/15)'],
    ['https://224.0.0.1/', 'address 224.0.0.1 is multicast'],
    ['https://239.255.255.250/', 'address 239.255.255.250 is multicast'],
    ['https://240.0.0.1/', 'address 240.0.0.1 is reserved (240.0.0.0/4)'],
    ['https://255.255.255.255/', 'address 255.255.255.255 is broadcast'],
    // Other spellings of forbidden IPv4 addresses
    ['https://2130706433/', 'address 127.0.0.1 is loopback'],
    ['https://0x7f000001/', 'address 127.0.0.1 is loopback'],
    ['https://017700000001/', 'address 127.0.0.1 is loopback'],
    ['https://0x7f.1/', 'address 127.0.0.1 is loopback'],
    ['https://127.1/', 'address 127.0.0.1 is loopback'],
    ['https://0177.0.0.1/', 'address 127.0.0.1 is loopback'],
    ['https://127.0.0.01/', 'address 127.0.0.1 is loopback'],
    ['https://127.0.0.1./', 'address 127.0.0.1 is loopback'],
    ['https://%31%32%37.0.0.1/', 'address 127.0.0.1 is loopback'],
    ['https://１２７.０.０.１/', 'address 127.0.0.1 is loopback'],
    ['https://0/', 'address 0.0.0.0 is in 0.0.0.0/8 ("this network")'],
    ['https://10.1/', 'address 10.0.0.1 is private (RFC 1918)'],
    ['https://3232235777/', 'address 192.168.1.1 is private (RFC 1918)'],
    ['https://0xa9.0xfe.0xa9.0xfe/', 'address 169.254.169.254 is link-local (the cloud metadata service)'],
    ['https://0251.0376.0251.0376/', 'address 169.254.169.254 is link-local (the cloud metadata service)'],
    ['https://2852039166/', 'address 169.254.169.254 is link-local (the cloud metadata service)'],
    // IPv6
    ['https://[::1]/', 'address ::1 is loopback'],
    ['https://[0:0:0:0:0:0:0:1]/', 'address ::1 is loopback'],
    ['https://[::]/', 'address :: is unspecified'],
    ['https://[fc00::1]/', 'address fc00::1 is a unique local address (fc00::/7)'],
    ['https://[fd00:ec2::254]/', 'address fd00:ec2::254 is a unique local address (fc00::/7)'],
    ['https://[fe80::1]/', 'address fe80::1 is link-local'],
    ['https://[febf::1]/', 'address febf::1 is link-local'],
    ['https://[ff02::1]/', 'address ff02::1 is multicast'],
    [
      'https://[::ffff:127.0.0.1]/',
      'address ::ffff:7f00:1 embeds 127.0.0.1 (IPv4-mapped), which is loopback',
    ],
    [
      'https://[::ffff:a9fe:a9fe]/',
      'address ::ffff:a9fe:a9fe embeds 169.254.169.254 (IPv4-mapped), which is link-local (the cloud metadata service)',
    ],
    [
      'https://[::ffff:10.0.0.1]/',
      'address ::ffff:a00:1 embeds 10.0.0.1 (IPv4-mapped), which is private (RFC 1918)',
    ],
    ['https://[::127.0.0.1]/', 'address ::7f00:1 embeds 127.0.0.1 (IPv4-compatible), which is loopback'],
    ['https://[::a00:1]/', 'address ::a00:1 embeds 10.0.0.1 (IPv4-compatible), which is private (RFC 1918)'],
    ['https://[64:ff9b::127.0.0.1]/', 'address 64:ff9b::7f00:1 embeds 127.0.0.1 (NAT64), which is loopback'],
    [
      'https://[64:ff9b::a9fe:a9fe]/',
      'address 64:ff9b::a9fe:a9fe embeds 169.254.169.254 (NAT64), which is link-local (the cloud metadata service)',
    ],
    ['https://[2002:7f00:1::]/', 'address 2002:7f00:1:: embeds 127.0.0.1 (6to4), which is loopback'],
    [
      'https://[2002:c0a8:101::1]/',
      'address 2002:c0a8:101::1 embeds 192.168.1.1 (6to4), which is private (RFC 1918)',
    ],
    ['https://[64:ff9b:1::1]/', 'address 64:ff9b:1::1 is reserved (local-use NAT64)'],
    [
      'https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/',
      'address 2001:0:4136:e378:8000:63bf:3fff:fdd2 is reserved (IETF protocol assignments, incl. Teredo)',
    ],
    ['https://[2001:db8::1]/', 'address 2001:db8::1 is reserved for documentation'],
    ['https://[100::1]/', 'address 100::1 is reserved (outside global unicast 2000::/3)'],
    ['https://[fec0::1]/', 'address fec0::1 is reserved (outside global unicast 2000::/3)'],
    // Names that only ever point inside
    ['https://localhost/', 'host localhost is a loopback name (localhost)'],
    ['https://LOCALHOST:8443/', 'host localhost is a loopback name (localhost)'],
    ['https://localhost./', 'host localhost is a loopback name (localhost)'],
    ['https://receiver.localhost/', 'host receiver.localhost is a loopback name (localhost)'],
    ['https://a.b.localhost./', 'host a.b.localhost is a loopback name (localhost)'],
    ['https://metadata/', 'host metadata looks like a cloud metadata service'],
    [
      'https://metadata.google.internal/',
      'host metadata.google.internal looks like a cloud metadata service',
    ],
    ['https://metadata.example.com/', 'host metadata.example.com looks like a cloud metadata service'],
    ['https://db.internal/', 'host db.internal is an internal-only name (.internal)'],
    ['https://db.corp.internal./', 'host db.corp.internal is an internal-only name (.internal)'],
    // URL rules
    ['http://93.184.216.34/', 'only https URLs are allowed, not http'],
    ['ftp://hooks.example.com/', 'only https URLs are allowed, not ftp'],
    ['hooks.example.com/webhook', 'the URL is not valid'],
    ['https://user:pw@hooks.example.com/', 'the URL must not contain user information (user@host)'],
    ['https://user@hooks.example.com/', 'the URL must not contain user information (user@host)'],
    ['https://@hooks.example.com/', 'the URL must not contain user information (user@host)'],
    ['https://:@hooks.example.com/', 'the URL must not contain user information (user@host)'],
    ['https://hooks.example.com:443@127.0.0.1/', 'the URL must not contain user information (user@host)'],
    ['https://a..b/', 'host "a..b" is not a valid name'],
  ])('refuses %s: %s', async (url, reason) => {
    await expect(guard.checkRegistration(url)).resolves.toBe(reason);
  });

  it.each([
    'https://93.184.216.34/webhooks',
    'https://93.184.216.34:8443/',
    'https://[2606:4700::1111]/hook',
    'https://[2a00:1450:4001:80b::200e]/',
    'https://[::ffff:93.184.216.34]/',
    'https://[64:ff9b::8.8.8.8]/',
    'https://[2002:5db8:d822::1]/',
    'https://8.8.8.8/',
    'https://11.0.0.1/',
    'https://172.15.255.255/',
    'https://172.32.0.1/',
    'https://192.167.255.255/',
    'https://192.169.0.1/',
    'https://100.63.255.255/',
    'https://100.128.0.1/',
    'https://169.253.255.255/',
    'https://198.17.255.255/',
    'https://198.20.0.1/',
    'https://223.255.255.255/',
    'https://1.1/',
    'https://hooks.example.com/webhooks?x=1#frag',
    'https://hooks.example.com./webhooks',
    'https://HOOKS.Example.com/',
  ])('allows %s', async (url) => {
    await expect(guard.checkRegistration(url)).resolves.toBeNull();
  });

  it('allows names that merely contain a forbidden word in another position', async () => {
    const { guard: g } = guardWith([], {
      'localhost.example.com': [PUBLIC_V4],
      'metadatas.example.com': [PUBLIC_V4],
      'internal.example.com': [PUBLIC_V4],
      'example.internals': [PUBLIC_V4],
    });
    for (const host of [
      'localhost.example.com',
      'metadatas.example.com',
      'internal.example.com',
      'example.internals',
    ]) {
      await expect(g.checkRegistration(`https://${host}/`)).resolves.toBeNull();
    }
  });

  it('does not consult the resolver for IP literals or refused names', async () => {
    resolver.asked.length = 0;
    await guard.checkRegistration('https://127.0.0.1/');
    await guard.checkRegistration('https://localhost/');
    await guard.checkRegistration('https://93.184.216.34/');
    expect(resolver.asked).toEqual([]);
  });

  describe('names', () => {
    const table = {
      'one-private.example.com': [PUBLIC_V4, '10.0.0.7'],
      'mapped.example.com': ['2606:4700::1111', '::ffff:127.0.0.1'],
      'empty.example.com': [],
      'garbage.example.com': ['not-an-ip'],
      'v6.example.com': ['2606:4700::1111'],
    };
    const { guard: g, resolver: r } = guardWith([], table);

    it('requires every resolved address to be allowed', async () => {
      await expect(g.checkRegistration('https://one-private.example.com/')).resolves.toBe(
        'host one-private.example.com resolves to 10.0.0.7, which is private (RFC 1918)',
      );
      await expect(g.checkRegistration('https://mapped.example.com/')).resolves.toBe(
        'host mapped.example.com resolves to ::ffff:7f00:1, which embeds 127.0.0.1 (IPv4-mapped), which is loopback',
      );
      await expect(g.checkRegistration('https://v6.example.com/')).resolves.toBeNull();
    });

    it('refuses a name that does not resolve, or resolves to something that is not an address', async () => {
      await expect(g.checkRegistration('https://empty.example.com/')).resolves.toBe(
        'host empty.example.com does not resolve',
      );
      await expect(g.checkRegistration('https://nxdomain.example.com/')).resolves.toBe(
        'host nxdomain.example.com does not resolve',
      );
      await expect(g.checkRegistration('https://garbage.example.com/')).resolves.toBe(
        'host garbage.example.com resolves to "not-an-ip", which is not an IP address',
      );
    });

    it('resolves the name without its trailing dot, lower-cased', async () => {
      r.asked.length = 0;
      await g.checkRegistration('https://V6.Example.COM./');
      expect(r.asked).toEqual(['v6.example.com']);
    });
  });
});

describe('allowed CIDRs (HERALD_WEBHOOK_ALLOW_CIDRS)', () => {
  const { guard } = guardWith(['127.0.0.0/8', '::1/128', '10.1.0.0/16'], {
    'dev.example.test': ['127.0.0.1'],
  });

  it.each([
    'https://127.0.0.1:8443/hook',
    'https://127.1/',
    'https://2130706433/',
    'https://[::1]/',
    'https://[::ffff:127.0.0.1]/',
    'https://10.1.2.3/',
    'https://dev.example.test/',
  ])('let addresses inside them through: %s', async (url) => {
    await expect(guard.checkRegistration(url)).resolves.toBeNull();
  });

  it.each([
    ['https://10.2.0.1/', 'address 10.2.0.1 is private (RFC 1918)'],
    [
      'https://[::2]/',
      'address ::2 embeds 0.0.0.2 (IPv4-compatible), which is in 0.0.0.0/8 ("this network")',
    ],
    ['https://[64:ff9b::127.0.0.1]/', 'address 64:ff9b::7f00:1 embeds 127.0.0.1 (NAT64), which is loopback'],
    ['https://localhost/', 'host localhost is a loopback name (localhost)'],
    ['https://receiver.localhost/', 'host receiver.localhost is a loopback name (localhost)'],
    ['http://127.0.0.1/', 'only https URLs are allowed, not http'],
    ['https://u:p@127.0.0.1/', 'the URL must not contain user information (user@host)'],
  ])('leave everything else refused: %s', async (url, reason) => {
    await expect(guard.checkRegistration(url)).resolves.toBe(reason);
  });

  it('refuses a malformed CIDR at construction', () => {
    expect(() => guardWith(['127.0.0.0/33'])).toThrow('invalid CIDR "127.0.0.0/33"');
    expect(() => guardWith(['localhost/8'])).toThrow('invalid CIDR "localhost/8"');
    expect(() => guardWith(['::1/129'])).toThrow('invalid CIDR');
  });
});

describe('allowed origins (HERALD_WEBHOOK_ALLOW_ORIGINS)', () => {
  const PORT = 8443;
  const { guard, resolver } = guardWith([], REBINDING_NAMES, [`https://127.0.0.1:${PORT}`]);
  const corpus = [...internalUrls(PORT), ...rebindingUrls(PORT)];

  it('has a corpus of internal URLs worth the name', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(60);
    expect(new Set(corpus).size).toBe(corpus.length);
  });

  it('lets the exact origin through, on any path, without a DNS query', async () => {
    resolver.asked.length = 0;
    for (const url of [
      `https://127.0.0.1:${PORT}/`,
      `https://127.0.0.1:${PORT}/webhooks`,
      `https://127.0.0.1:${PORT}/a/b?c=d`,
    ]) {
      await expect(guard.checkRegistration(url)).resolves.toBeNull();
    }
    expect(resolver.asked).toEqual([]);
  });

  it.each(corpus)('refuses everything else inside: %s', async (url) => {
    await expect(guard.checkRegistration(url)).resolves.toEqual(expect.any(String));
  });

  it('refuses 127.0.0.1 on another port with the loopback reason, as if nothing were allowed', async () => {
    await expect(guard.checkRegistration('https://0x7f000001:5433/')).resolves.toBe(
      'address 127.0.0.1 is loopback',
    );
    await expect(guard.checkRegistration(`https://127.0.0.1:${PORT + 1}/`)).resolves.toBe(
      'address 127.0.0.1 is loopback',
    );
  });

  it('still lets public addresses through', async () => {
    await expect(guard.checkRegistration('https://93.184.216.34:8443/')).resolves.toBeNull();
    await expect(guard.checkRegistration('https://hooks.example.com/')).resolves.toBeNull();
  });

  it('matches the default port when the origin names 443', async () => {
    const { guard: g } = guardWith([], {}, ['https://10.0.0.5:443']);
    await expect(g.checkRegistration('https://10.0.0.5/')).resolves.toBeNull();
    await expect(g.checkRegistration('https://10.0.0.5:8443/')).resolves.toBe(
      'address 10.0.0.5 is private (RFC 1918)',
    );
  });

  it('allows a name origin by that name and port only, wherever it resolves', async () => {
    const { guard: g } = guardWith([], { receiver: ['172.18.0.3'], other: ['172.18.0.3'] }, [
      'https://receiver:8443',
    ]);
    await expect(g.checkRegistration('https://receiver:8443/hook')).resolves.toBeNull();
    await expect(g.checkRegistration('https://RECEIVER.:8443/hook')).resolves.toBeNull();
    await expect(g.checkRegistration('https://receiver:8444/hook')).resolves.toBe(
      'host receiver resolves to 172.18.0.3, which is private (RFC 1918)',
    );
    await expect(g.checkRegistration('https://other:8443/hook')).resolves.toBe(
      'host other resolves to 172.18.0.3, which is private (RFC 1918)',
    );
    await expect(g.checkRegistration('https://172.18.0.3:8443/hook')).resolves.toBe(
      'address 172.18.0.3 is private (RFC 1918)',
    );
  });

  it.each([
    'http://127.0.0.1:8443',
    'https://127.0.0.1',
    'https://127.0.0.1:0',
    'https://127.0.0.1:65536',
    'https://127.0.0.1:8443/hooks',
    'https://u@127.0.0.1:8443',
    'https://127.1:8443',
    'https://0x7f000001:8443',
    'https://[::1:8443',
    'https://[127.0.0.1]:8443',
    '127.0.0.1:8443',
    'https://127.0.0.0/8',
  ])('refuses a malformed origin at construction: %s', (origin) => {
    expect(() => guardWith([], {}, [origin])).toThrow(`invalid origin ${JSON.stringify(origin)}`);
  });
});

describe('SsrfGuard.connector refusals', () => {
  function connect(
    guard: SsrfGuard,
    hostname: string,
    protocol = 'https:',
    port = '443',
  ): Promise<{ err: Error | null; remote?: string }> {
    const connector = guard.connector({});
    return new Promise((resolve) => {
      connector({ hostname, host: `${hostname}:${port}`, protocol, port }, (...args) => {
        const [err, socket] = args;
        if (err) return resolve({ err });
        resolve({ err: null, remote: socket.remoteAddress });
        socket.destroy();
      });
    });
  }

  it('refuses a forbidden literal before dialling, with an ssrf: message', async () => {
    const { guard } = guardWith();
    const { err } = await connect(guard, '127.0.0.1');
    expect(err?.message).toBe('ssrf: 127.0.0.1 is loopback');
    expect((err as Error & { code?: string }).code).toBe('ERR_SSRF_REFUSED');
    expect((await connect(guard, '::ffff:a9fe:a9fe')).err?.message).toBe(
      'ssrf: ::ffff:a9fe:a9fe embeds 169.254.169.254 (IPv4-mapped), which is link-local (the cloud metadata service)',
    );
    expect((await connect(guard, '0x7f.1')).err?.message).toBe('ssrf: 127.0.0.1 is loopback');
    expect((await connect(guard, '::1')).err?.message).toBe('ssrf: ::1 is loopback');
  });

  it('refuses when every resolved address is forbidden, naming each', async () => {
    const { guard } = guardWith([], { 'rebind.example.com': ['10.0.0.1', '127.0.0.1'] });
    const { err } = await connect(guard, 'rebind.example.com');
    expect(err?.message).toBe('ssrf: 10.0.0.1 is private (RFC 1918); 127.0.0.1 is loopback');
  });

  it('keeps name rules and https-only even where the address is allowed', async () => {
    const { guard } = guardWith(['127.0.0.0/8']);
    expect((await connect(guard, 'localhost')).err?.message).toBe(
      'ssrf: host localhost is a loopback name (localhost)',
    );
    expect((await connect(guard, '127.0.0.1', 'http:', '80')).err?.message).toBe(
      'ssrf: only https is allowed, not http:',
    );
  });

  it('refuses every internal URL when only one origin is allowed, before dialling', async () => {
    const port = 8443;
    const { guard } = guardWith([], REBINDING_NAMES, [`https://127.0.0.1:${port}`]);
    const dialled = [...internalUrls(port), ...rebindingUrls(port)]
      // User information never reaches the connector (registration refuses it, see above).
      .filter((raw) => !raw.includes('@'))
      .map((raw) => new URL(raw));
    expect(dialled.length).toBeGreaterThanOrEqual(60);
    for (const u of dialled) {
      const { err } = await connect(guard, u.hostname.replace(/^\[|\]$/g, ''), u.protocol, u.port || '443');
      expect({ url: u.href, message: err?.message }).toEqual({
        url: u.href,
        message: expect.stringMatching(/^ssrf: /),
      });
    }
  });

  it('passes a resolver failure through unchanged', async () => {
    const { guard } = guardWith();
    expect((await connect(guard, 'nxdomain.example.com')).err?.message).toBe(
      'getaddrinfo ENOTFOUND nxdomain.example.com',
    );
  });

  it('dials the first allowed address among those resolved', async () => {
    // A port nothing listens on: the refusal names the address actually dialled.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = String((probe.address() as AddressInfo).port);
    await new Promise<void>((r) => probe.close(() => r()));
    const { guard } = guardWith(['127.0.0.1/32'], { 'mixed.example.com': ['10.0.0.1', '127.0.0.1'] });
    const { err } = await connect(guard, 'mixed.example.com', 'https:', port);
    expect(err).toMatchObject({ code: 'ECONNREFUSED', address: '127.0.0.1', port: Number(port) });
  });
});
