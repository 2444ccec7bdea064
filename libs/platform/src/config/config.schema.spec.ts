import { createTestCa, TestCa } from '../../../../test/support/tls';
import { assertProductionReady, ConfigError, loadConfig, parseDuration } from './config.schema';

const load = (env: Record<string, string>) => loadConfig(env, { projectRoot: '/srv/herald' });
const reason = (env: Record<string, string>): string => {
  try {
    load(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a ConfigError');
};

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const c = load({});
    expect(c.port).toBe(3000);
    expect(c.baseDomain).toBe('localhost');
    expect(c.dataDir).toBe('/srv/herald/.herald');
    expect(c.retrySchedule).toEqual([0, 60_000, 300_000, 1_800_000, 7_200_000, 21_600_000, 86_400_000]);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.databaseAppUrl).toBeUndefined();
    expect(c.databaseSystemUrl).toBeUndefined();
    expect(c.databaseAllowPrivilegedApp).toBe(false);
    expect(c.kafkaBrokers).toBeUndefined();
    expect(c.logLevel).toBe('info');
    expect(c.kafka.retentionMs).toBe(-1);
    expect(c.env).toBe('development');
    expect(c.tls).toBeUndefined();
    expect(c.trustedProxies).toEqual([]);
    expect(c.fastPaths).toBe(true);
  });

  it('parses every documented variable', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    const c = load({
      PORT: '8080',
      DATABASE_URL: 'postgres://u:p@db:5432/herald',
      HERALD_DATABASE_APP_URL: 'postgres://herald_app:p@db:5432/herald',
      HERALD_DATABASE_SYSTEM_URL: 'postgres://herald_system:p@db:5432/herald',
      HERALD_DATABASE_ALLOW_PRIVILEGED_APP: 'true',
      KAFKA_BROKERS: 'k1:9092, k2:9092,[::1]:9094',
      HERALD_BASE_DOMAIN: 'Events.Example.com',
      HERALD_MASTER_KEY: key,
      HERALD_SERVICE_TOKEN: 'x'.repeat(40),
      HERALD_WEBHOOK_ALLOW_CIDRS: '127.0.0.0/8,::1/128',
      HERALD_RETRY_SCHEDULE: '0,1s,2s,250ms',
      HERALD_DATA_DIR: '/var/lib/herald',
      REDIS_URL: 'redis://cache:6379',
      LOG_LEVEL: 'debug',
      HERALD_KAFKA_RETENTION: '30d',
      HERALD_FAST_PATHS: '0',
    });
    expect(c.port).toBe(8080);
    expect(c.databaseAppUrl).toBe('postgres://herald_app:p@db:5432/herald');
    expect(c.databaseSystemUrl).toBe('postgres://herald_system:p@db:5432/herald');
    expect(c.databaseAllowPrivilegedApp).toBe(true);
    expect(c.kafkaBrokers).toEqual(['k1:9092', 'k2:9092', '[::1]:9094']);
    expect(c.baseDomain).toBe('events.example.com');
    expect(c.masterKey?.equals(Buffer.alloc(32, 7))).toBe(true);
    expect(c.webhookAllowCidrs).toEqual(['127.0.0.0/8', '::1/128']);
    expect(c.retrySchedule).toEqual([0, 1000, 2000, 250]);
    expect(c.dataDir).toBe('/var/lib/herald');
    expect(c.kafka.retentionMs).toBe(30 * 86_400_000);
    expect(c.fastPaths).toBe(false);
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT must be an integer between 1 and 65535 (got "abc")'],
    [{ PORT: '70000' }, 'PORT must be an integer'],
    [{ PORT: '-1' }, 'PORT must be an integer'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL must use postgres:'],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL must be a URL'],
    [{ HERALD_DATABASE_APP_URL: 'mysql://x' }, 'HERALD_DATABASE_APP_URL must use postgres:'],
    [{ HERALD_DATABASE_SYSTEM_URL: 'http://x' }, 'HERALD_DATABASE_SYSTEM_URL must use postgres:'],
    [
      { HERALD_DATABASE_ALLOW_PRIVILEGED_APP: 'yes' },
      'HERALD_DATABASE_ALLOW_PRIVILEGED_APP must be true or false (got "yes")',
    ],
    [{ KAFKA_BROKERS: 'k1' }, 'KAFKA_BROKERS must be a comma-separated list of host:port (bad entry "k1")'],
    [{ HERALD_MASTER_KEY: 'c2hvcnQ=' }, 'HERALD_MASTER_KEY must be 32 random bytes in base64'],
    [{ HERALD_MASTER_KEY: '!!!' }, 'HERALD_MASTER_KEY must be 32 random bytes in base64'],
    [{ HERALD_SERVICE_TOKEN: 'short' }, 'HERALD_SERVICE_TOKEN must be at least 32 characters'],
    [{ HERALD_METRICS_TOKEN: 'short' }, 'HERALD_METRICS_TOKEN must be at least 32 characters'],
    [
      { HERALD_RETRY_SCHEDULE: '0,1x' },
      'HERALD_RETRY_SCHEDULE must be comma-separated durations like 0,1m,5m,2h (bad entry "1x")',
    ],
    [{ HERALD_RETRY_SCHEDULE: '0,,1s' }, 'HERALD_RETRY_SCHEDULE must be comma-separated durations'],
    [
      { HERALD_WEBHOOK_ALLOW_CIDRS: '10.0.0.0/33' },
      'HERALD_WEBHOOK_ALLOW_CIDRS must be comma-separated CIDRs',
    ],
    [
      { HERALD_WEBHOOK_ALLOW_CIDRS: 'localhost/8' },
      'HERALD_WEBHOOK_ALLOW_CIDRS must be comma-separated CIDRs',
    ],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent'],
    [{ HERALD_BASE_DOMAIN: 'bad_domain' }, 'HERALD_BASE_DOMAIN must be a DNS name'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV must be one of development, production, test'],
    [{ HERALD_KAFKA_PORT: '9092', HERALD_KAFKA_CONTROLLER_PORT: '9092' }, 'must differ'],
    [{ HERALD_FAST_PATHS: 'off' }, 'HERALD_FAST_PATHS must be 1 (default) or 0'],
    [{ HERALD_TRUSTED_PROXIES: '10.0.0.1' }, 'HERALD_TRUSTED_PROXIES must be comma-separated CIDRs'],
    [{ HERALD_TRUSTED_PROXIES: '10.0.0.0/8,,' }, 'HERALD_TRUSTED_PROXIES must be comma-separated CIDRs'],
    [{ HERALD_TLS_KEY: '/etc/herald/key.pem' }, 'HERALD_TLS_CERT and HERALD_TLS_KEY must be set together'],
    [
      { HERALD_TLS_CERT: '/nonexistent/cert.pem', HERALD_TLS_KEY: '/nonexistent/key.pem' },
      'HERALD_TLS_CERT: cannot read /nonexistent/cert.pem (ENOENT)',
    ],
  ])('rejects %j with one clear line', (env, expected) => {
    const msg = reason(env);
    expect(msg).toContain(expected);
    expect(msg).not.toContain('\n');
  });

  it('never echoes a secret value in its error', () => {
    const secret = 'sUp3r-s3cr3t-but-short';
    expect(reason({ HERALD_SERVICE_TOKEN: secret })).not.toContain(secret);
    expect(reason({ HERALD_METRICS_TOKEN: secret })).not.toContain(secret);
    expect(reason({ HERALD_MASTER_KEY: secret })).not.toContain(secret);
    expect(reason({ DATABASE_URL: 'mysql://user:hunter2@db/x' })).not.toContain('hunter2');
  });

  it('requires the external addresses and secrets in production', () => {
    const c = load({ NODE_ENV: 'production', DATABASE_URL: 'postgres://db/h' });
    expect(() => assertProductionReady(c)).toThrow(
      'KAFKA_BROKERS, HERALD_MASTER_KEY, HERALD_SERVICE_TOKEN must be set when NODE_ENV=production',
    );
    expect(() => assertProductionReady(load({}))).not.toThrow();
  });
});

describe('TLS and proxy settings', () => {
  let ca: TestCa;
  beforeAll(() => {
    ca = createTestCa();
  });
  afterAll(() => ca.dispose());

  it('loads a matching certificate and key, relative paths from the project root', () => {
    const pair = ca.issue({ name: 'ok' });
    const c = loadConfig(
      {
        HERALD_TLS_CERT: 'ok.crt',
        HERALD_TLS_KEY: pair.keyFile,
        HERALD_TRUSTED_PROXIES: '10.0.0.0/8, ::1/128',
      },
      { projectRoot: ca.dir },
    );
    expect(c.tls).toEqual({ certFile: pair.certFile, keyFile: pair.keyFile, cert: pair.cert, key: pair.key });
    expect(c.trustedProxies).toEqual(['10.0.0.0/8', '::1/128']);
  });

  it.each([
    [
      'a key of another certificate',
      (a: string[], b: string[]) => [a[0], b[1]],
      'does not belong to the certificate',
    ],
    ['a key as the certificate', (a: string[]) => [a[1], a[1]], 'HERALD_TLS_CERT must be a PEM certificate'],
    [
      'a certificate as the key',
      (a: string[]) => [a[0], a[0]],
      'HERALD_TLS_KEY must be an unencrypted PEM private key',
    ],
    ['a directory', (a: string[]) => [a[0], ca.dir], 'HERALD_TLS_KEY: cannot read'],
  ])('rejects %s with one line', (_what, pick, expected) => {
    const a = ca.issue();
    const b = ca.issue();
    const [cert, key] = pick([a.certFile, a.keyFile], [b.certFile, b.keyFile]) as [string, string];
    const msg = reason({ HERALD_TLS_CERT: cert, HERALD_TLS_KEY: key });
    expect(msg).toContain(expected);
    expect(msg).not.toContain('\n');
    expect(msg).not.toContain('PRIVATE KEY');
  });
});

describe('webhook allow origins, extra CAs and the listen address', () => {
  let ca: TestCa;
  beforeAll(() => {
    ca = createTestCa();
  });
  afterAll(() => ca.dispose());

  it('reads HERALD_WEBHOOK_ALLOW_ORIGINS as exact https origins, written back as https://host:port', () => {
    expect(load({}).webhookAllowOrigins).toEqual([]);
    expect(
      load({
        HERALD_WEBHOOK_ALLOW_ORIGINS:
          'https://127.0.0.1:8443, HTTPS://[::1]:9443/,https://Receiver.Local:443',
      }).webhookAllowOrigins,
    ).toEqual(['https://127.0.0.1:8443', 'https://[::1]:9443', 'https://receiver.local:443']);
  });

  it.each([
    'http://127.0.0.1:8443',
    'https://127.0.0.1',
    'https://127.0.0.1:0',
    'https://127.0.0.1:70000',
    'https://127.0.0.1:8443/hooks',
    'https://user@127.0.0.1:8443',
    'https://127.0.0.0/8',
    '127.0.0.1:8443',
    'https://127.1:8443',
    'https://0x7f000001:8443',
    'https://[127.0.0.1]:8443',
    'https://[::1:8443',
    'https://127.0.0.1:8443,',
  ])('rejects the allow origin %j with one line naming the entry', (entry) => {
    const msg = reason({ HERALD_WEBHOOK_ALLOW_ORIGINS: entry });
    expect(msg).toMatch(
      /^HERALD_WEBHOOK_ALLOW_ORIGINS must be comma-separated origins like https:\/\/127\.0\.0\.1:8443 /,
    );
    expect(msg).not.toContain('\n');
  });

  it('reads NODE_EXTRA_CA_CERTS as a readable PEM file of certificates', () => {
    expect(load({}).nodeExtraCaCerts).toBeUndefined();
    expect(load({ NODE_EXTRA_CA_CERTS: ca.certFile }).nodeExtraCaCerts).toBe(ca.certFile);
    expect(reason({ NODE_EXTRA_CA_CERTS: '/nonexistent/ca.pem' })).toBe(
      'NODE_EXTRA_CA_CERTS names a file that cannot be read: "/nonexistent/ca.pem"',
    );
    const key = ca.issue({ name: 'not-a-ca' }).keyFile;
    expect(reason({ NODE_EXTRA_CA_CERTS: key })).toContain(
      'NODE_EXTRA_CA_CERTS must name a PEM file of CA certificates',
    );
  });

  it('listens on loopback outside production and on every IPv4 interface in it, unless HERALD_BIND says', () => {
    expect(load({}).bind).toBe('127.0.0.1');
    expect(load({ NODE_ENV: 'test' }).bind).toBe('127.0.0.1');
    expect(load({ NODE_ENV: 'production' }).bind).toBe('0.0.0.0');
    expect(load({ NODE_ENV: 'production', HERALD_BIND: '10.1.2.3' }).bind).toBe('10.1.2.3');
    expect(load({ HERALD_BIND: '::' }).bind).toBe('::');
    expect(load({ HERALD_BIND: '[::1]' }).bind).toBe('::1');
    expect(load({ HERALD_BIND: 'herald-gateway.internal' }).bind).toBe('herald-gateway.internal');
  });

  it.each(['0.0.0.0:3000', 'http://0.0.0.0', 'bad_host', '[localhost]', '1.2.3.4 5.6.7.8'])(
    'rejects HERALD_BIND=%j with one line',
    (bind) => {
      const msg = reason({ HERALD_BIND: bind });
      expect(msg).toMatch(/^HERALD_BIND must be an IP address or host name to listen on/);
      expect(msg).not.toContain('\n');
    },
  );
});

describe('parseDuration', () => {
  it.each([
    ['0', 0],
    ['250ms', 250],
    ['1s', 1000],
    ['5m', 300_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
  ])('%s → %d ms', (raw, ms) => expect(parseDuration(raw)).toBe(ms));

  it.each(['5', '1.5s', 's', '-1s', '1w', ''])('rejects %j', (raw) =>
    expect(parseDuration(raw)).toBeUndefined(),
  );
});

describe('admin console sessions', () => {
  it('default to 30 minutes idle and 12 hours in all, Secure cookies outside development', () => {
    expect(load({}).adminSessions).toEqual({
      idleTimeoutMs: 1_800_000,
      ttlMs: 43_200_000,
      secureCookie: false,
    });
    expect(load({ NODE_ENV: 'test' }).adminSessions.secureCookie).toBe(true);
    expect(load({ NODE_ENV: 'production' }).adminSessions.secureCookie).toBe(true);
  });

  it('read HERALD_ADMIN_IDLE_TIMEOUT and HERALD_ADMIN_SESSION_TTL as durations', () => {
    const config = load({ HERALD_ADMIN_IDLE_TIMEOUT: '90s', HERALD_ADMIN_SESSION_TTL: '1d' });
    expect(config.adminSessions).toMatchObject({ idleTimeoutMs: 90_000, ttlMs: 86_400_000 });
  });

  it.each([
    ['HERALD_ADMIN_IDLE_TIMEOUT', '30'],
    ['HERALD_ADMIN_SESSION_TTL', '0'],
    ['HERALD_ADMIN_SESSION_TTL', 'soon'],
  ])('refuses %s=%j in one line', (name, raw) => {
    expect(() => load({ [name]: raw })).toThrow(new RegExp(`^${name} must be a positive duration`));
  });
});

describe('OAuth access tokens', () => {
  it('live 15 minutes by default, HERALD_OAUTH_TOKEN_TTL otherwise', () => {
    expect(load({}).oauthTokenTtlMs).toBe(900_000);
    expect(load({ HERALD_OAUTH_TOKEN_TTL: '5m' }).oauthTokenTtlMs).toBe(300_000);
  });

  it.each(['0', '15', 'soon'])('refuses HERALD_OAUTH_TOKEN_TTL=%j in one line', (raw) => {
    expect(() => load({ HERALD_OAUTH_TOKEN_TTL: raw })).toThrow(
      /^HERALD_OAUTH_TOKEN_TTL must be a positive duration/,
    );
  });
});
