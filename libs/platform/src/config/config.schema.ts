/**
 * The configuration schema (DESIGN.md §9): read once at boot, validated, then
 * passed around as a typed object. Nothing else in the code base reads process.env.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isIP } from 'node:net';
import { FAST_PATHS_VARIABLE, parseFastPathsSwitch } from '../fast-paths/fast-paths';
import { loadTlsMaterial, TlsMaterial, TlsMaterialError } from './tls';

export type RuntimeEnv = 'development' | 'production' | 'test';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export interface HeraldConfig {
  env: RuntimeEnv;
  port: number;
  /** Address the HTTP server listens on (`HERALD_BIND`): loopback outside production, all IPv4 interfaces in it. */
  bind: string;
  /** The schema owner's login: migrations, cross-tenant work, CLI admin commands. */
  databaseUrl: string | undefined;
  /** The `herald_app` login that tenant-scoped work uses (unset: the owner's, switching role). */
  databaseAppUrl: string | undefined;
  /** The `herald_system` login the roles' cross-tenant work uses (unset: the owner's, DATABASE_URL). */
  databaseSystemUrl: string | undefined;
  /** Lets the tenant-scoped and system pools log in as a superuser, BYPASSRLS or owner role in production. */
  databaseAllowPrivilegedApp: boolean;
  kafkaBrokers: string[] | undefined;
  baseDomain: string;
  /** 32-byte AES key; required outside dev (dev generates one into the data dir). */
  masterKey: Buffer | undefined;
  /** Retired master keys, still able to open what they sealed until it is re-sealed. */
  previousMasterKeys: Buffer[];
  serviceToken: string | undefined;
  /** When set, GET /metrics requires it as a bearer token. */
  metricsToken: string | undefined;
  webhookAllowCidrs: string[];
  /** Exact origins (`https://127.0.0.1:8443`) the SSRF guard lets through, one host and port each. */
  webhookAllowOrigins: string[];
  /** Extra CA certificates (PEM) webhook receivers may present, beside the system roots (dev/test receivers). */
  webhookCaFile: string | undefined;
  /**
   * `NODE_EXTRA_CA_CERTS` (PEM), trusted by webhook delivery as by any Node HTTPS client: Node
   * reads it only at process start, and not into a context built from `tls.rootCertificates`.
   */
  nodeExtraCaCerts: string | undefined;
  /** Delays in milliseconds before attempt 1, 2, … */
  retrySchedule: number[];
  /** Delivery worker tuning (defaults suit production; tests shorten the breaker's timings). */
  webhookDelivery: {
    /** Attempts in flight to one endpoint at most. */
    endpointConcurrency: number;
    /**
     * How busy (percent of its event loop) an endpoint's backlog may keep a worker while
     * other endpoints' deliveries are on time; 100: backlogs are never paced.
     */
    backlogBusyPercent: number;
    /** How long a tripped breaker stays open before one probe is let through. */
    breakerResetMs: number;
    /** Attempts within the window before the error rate may trip the breaker. */
    breakerVolumeThreshold: number;
    /** Error percentage over the window that trips the breaker. */
    breakerErrorPercent: number;
    breakerWindowMs: number;
    /** How often workers look for due retries when nothing wakes them sooner. */
    pollIntervalMs: number;
  };
  dataDir: string;
  redisUrl: string | undefined;
  /** Memory for rendered public reads in the gateway (0: every read goes to Postgres). */
  readCacheBytes: number;
  logLevel: LogLevel;
  /** Certificate and key the HTTP server presents; unset: plain HTTP (behind a TLS proxy). */
  tls: TlsMaterial | undefined;
  /** Peers (CIDRs) whose X-Forwarded-Proto / X-Forwarded-For are believed. */
  trustedProxies: string[];
  kafka: {
    clientId: string;
    partitions: number;
    /** -1 keeps events forever. */
    retentionMs: number;
    embeddedPort: number;
    embeddedControllerPort: number;
  };
  postgres: {
    embeddedPort: number;
  };
  /** `HERALD_FAST_PATHS`: the kafkajs, pg and Node fast paths (fast-paths/fast-paths.ts). */
  fastPaths: boolean;
  /** Admin console sessions (`/admin`). */
  adminSessions: {
    /** A session unused this long ends (`HERALD_ADMIN_IDLE_TIMEOUT`, sliding). */
    idleTimeoutMs: number;
    /** A session ends this long after login whatever its use (`HERALD_ADMIN_SESSION_TTL`). */
    ttlMs: number;
    /** The session cookie is `Secure` (outside development, or whenever TLS is served). */
    secureCookie: boolean;
  };
  /** Lifetime of an OAuth access token from `POST /oauth/token` (`HERALD_OAUTH_TOKEN_TTL`). */
  oauthTokenTtlMs: number;
}

export type Env = Readonly<Record<string, string | undefined>>;

/** A configuration problem, phrased as the one line an operator needs to fix it. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const DEFAULT_RETRY_SCHEDULE = '0,1m,5m,30m,2h,6h,24h';

export function loadConfig(env: Env, opts: { projectRoot: string }): HeraldConfig {
  const runtime = parseEnum<RuntimeEnv>(
    env,
    'NODE_ENV',
    ['development', 'production', 'test'],
    'development',
  );
  const config: HeraldConfig = {
    env: runtime,
    port: parsePort(env, 'PORT', 3000),
    bind: parseBind(env, 'HERALD_BIND', runtime === 'production' ? '0.0.0.0' : '127.0.0.1'),
    databaseUrl: parseUrl(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    databaseAppUrl: parseUrl(env, 'HERALD_DATABASE_APP_URL', ['postgres:', 'postgresql:']),
    databaseSystemUrl: parseUrl(env, 'HERALD_DATABASE_SYSTEM_URL', ['postgres:', 'postgresql:']),
    databaseAllowPrivilegedApp: parseBoolean(env, 'HERALD_DATABASE_ALLOW_PRIVILEGED_APP', false),
    kafkaBrokers: parseBrokers(env, 'KAFKA_BROKERS'),
    baseDomain: parseDomain(env, 'HERALD_BASE_DOMAIN', 'localhost'),
    masterKey: parseMasterKey(env, 'HERALD_MASTER_KEY'),
    previousMasterKeys: parseMasterKeyList(env, 'HERALD_MASTER_KEY_PREVIOUS'),
    serviceToken: parseToken(env, 'HERALD_SERVICE_TOKEN'),
    metricsToken: parseToken(env, 'HERALD_METRICS_TOKEN'),
    webhookAllowCidrs: parseCidrs(env, 'HERALD_WEBHOOK_ALLOW_CIDRS'),
    webhookAllowOrigins: parseOrigins(env, 'HERALD_WEBHOOK_ALLOW_ORIGINS'),
    webhookCaFile: parseReadableFile(env, 'HERALD_WEBHOOK_CA_FILE', opts.projectRoot),
    // Relative to the working directory, as Node itself reads it.
    nodeExtraCaCerts: parsePemCertificates(env, 'NODE_EXTRA_CA_CERTS', process.cwd()),
    retrySchedule: parseDurations(env, 'HERALD_RETRY_SCHEDULE', DEFAULT_RETRY_SCHEDULE),
    webhookDelivery: {
      endpointConcurrency: parseInteger(env, 'HERALD_WEBHOOK_ENDPOINT_CONCURRENCY', 16, 1, 1000),
      backlogBusyPercent: parseInteger(env, 'HERALD_WEBHOOK_BACKLOG_BUSY', 50, 10, 100),
      breakerResetMs: parseDurationValue(env, 'HERALD_WEBHOOK_BREAKER_RESET', '30s'),
      breakerVolumeThreshold: parseInteger(env, 'HERALD_WEBHOOK_BREAKER_VOLUME', 5, 1, 100000),
      breakerErrorPercent: parseInteger(env, 'HERALD_WEBHOOK_BREAKER_ERROR_PERCENT', 50, 1, 100),
      breakerWindowMs: parseDurationValue(env, 'HERALD_WEBHOOK_BREAKER_WINDOW', '60s'),
      pollIntervalMs: parseDurationValue(env, 'HERALD_WEBHOOK_POLL_INTERVAL', '1s'),
    },
    dataDir: path.resolve(opts.projectRoot, value(env, 'HERALD_DATA_DIR') ?? '.herald'),
    redisUrl: parseUrl(env, 'REDIS_URL', ['redis:', 'rediss:']),
    readCacheBytes: parseInteger(env, 'HERALD_READ_CACHE_MB', 64, 0, 65536) * 1024 * 1024,
    logLevel: parseEnum<LogLevel>(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    tls: parseTls(env, 'HERALD_TLS_CERT', 'HERALD_TLS_KEY', opts.projectRoot),
    trustedProxies: parseCidrs(env, 'HERALD_TRUSTED_PROXIES'),
    kafka: {
      clientId: value(env, 'HERALD_KAFKA_CLIENT_ID') ?? 'herald',
      partitions: parseInteger(env, 'HERALD_KAFKA_PARTITIONS', 6, 1, 1000),
      retentionMs: parseRetention(env, 'HERALD_KAFKA_RETENTION'),
      embeddedPort: parsePort(env, 'HERALD_KAFKA_PORT', 9092),
      embeddedControllerPort: parsePort(env, 'HERALD_KAFKA_CONTROLLER_PORT', 9093),
    },
    postgres: {
      embeddedPort: parsePort(env, 'HERALD_PG_PORT', 5433),
    },
    fastPaths: parseFastPaths(env),
    adminSessions: {
      idleTimeoutMs: parseDurationValue(env, 'HERALD_ADMIN_IDLE_TIMEOUT', '30m'),
      ttlMs: parseDurationValue(env, 'HERALD_ADMIN_SESSION_TTL', '12h'),
      secureCookie: false,
    },
    oauthTokenTtlMs: parseDurationValue(env, 'HERALD_OAUTH_TOKEN_TTL', '15m'),
  };
  config.adminSessions.secureCookie = runtime !== 'development' || config.tls !== undefined;
  if (config.kafka.embeddedPort === config.kafka.embeddedControllerPort) {
    throw new ConfigError('HERALD_KAFKA_CONTROLLER_PORT must differ from HERALD_KAFKA_PORT');
  }
  return config;
}

/**
 * Production has no embedded defaults: every external address and secret must be given.
 * Called by the role entry points, not by `herald dev`, which fills these in itself.
 */
export function assertProductionReady(config: HeraldConfig): void {
  if (config.env !== 'production') return;
  const missing: string[] = [];
  if (!config.databaseUrl) missing.push('DATABASE_URL');
  if (!config.kafkaBrokers) missing.push('KAFKA_BROKERS');
  if (!config.masterKey) missing.push('HERALD_MASTER_KEY');
  if (!config.serviceToken) missing.push('HERALD_SERVICE_TOKEN');
  if (missing.length > 0) {
    throw new ConfigError(`${missing.join(', ')} must be set when NODE_ENV=production`);
  }
}

function value(env: Env, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined) return undefined;
  const trimmed = raw.trim();
  return trimmed === '' ? undefined : trimmed;
}

function show(raw: string): string {
  return JSON.stringify(raw.length > 60 ? `${raw.slice(0, 57)}...` : raw);
}

function parseEnum<T extends string>(env: Env, name: string, allowed: readonly T[], dflt: T): T {
  const raw = value(env, name);
  if (raw === undefined) return dflt;
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  throw new ConfigError(`${name} must be one of ${allowed.join(', ')} (got ${show(raw)})`);
}

function parseFastPaths(env: Env): boolean {
  const on = parseFastPathsSwitch(value(env, FAST_PATHS_VARIABLE));
  if (on === undefined) throw new ConfigError(`${FAST_PATHS_VARIABLE} must be 1 (default) or 0`);
  return on;
}

function parseInteger(env: Env, name: string, dflt: number, min: number, max: number): number {
  const raw = value(env, name);
  if (raw === undefined) return dflt;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max} (got ${show(raw)})`);
  }
  return Number(raw);
}

function parseBoolean(env: Env, name: string, dflt: boolean): boolean {
  const raw = value(env, name);
  if (raw === undefined) return dflt;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(`${name} must be true or false (got ${show(raw)})`);
}

function parsePort(env: Env, name: string, dflt: number): number {
  return parseInteger(env, name, dflt, 1, 65535);
}

/** An IP literal (`0.0.0.0`, `::`, `[::1]`) or a host name that resolves to a local address. */
function parseBind(env: Env, name: string, dflt: string): string {
  const raw = value(env, name);
  if (raw === undefined) return dflt;
  const host = raw.startsWith('[') && raw.endsWith(']') ? raw.slice(1, -1) : raw;
  if (isIP(host) !== 0) return host;
  const label = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;
  if (host === raw && host.length <= 253 && host.split('.').every((l) => label.test(l))) return host;
  throw new ConfigError(
    `${name} must be an IP address or host name to listen on, like 127.0.0.1, 0.0.0.0 or :: (got ${show(raw)})`,
  );
}

function parseUrl(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = value(env, name);
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(
      `${name} must be a URL like ${protocols[0]}//host:port/... (got an unparsable value)`,
    );
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(`${name} must use ${protocols.join(' or ')} (got ${show(url.protocol)})`);
  }
  return raw;
}

function parseBrokers(env: Env, name: string): string[] | undefined {
  const raw = value(env, name);
  if (raw === undefined) return undefined;
  const brokers = raw.split(',').map((b) => b.trim());
  for (const b of brokers) {
    const m = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(b);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) {
      throw new ConfigError(`${name} must be a comma-separated list of host:port (bad entry ${show(b)})`);
    }
  }
  return brokers;
}

function parseDomain(env: Env, name: string, dflt: string): string {
  const raw = value(env, name);
  if (raw === undefined) return dflt;
  const d = raw.toLowerCase();
  const label = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
  if (d.length > 253 || !d.split('.').every((l) => label.test(l))) {
    throw new ConfigError(`${name} must be a DNS name such as example.com (got ${show(raw)})`);
  }
  return d;
}

function parseMasterKey(env: Env, name: string): Buffer | undefined {
  const raw = value(env, name);
  if (raw === undefined) return undefined;
  const buf = /^[A-Za-z0-9+/]+={0,2}$/.test(raw) ? Buffer.from(raw, 'base64') : Buffer.alloc(0);
  if (buf.length !== 32) {
    throw new ConfigError(`${name} must be 32 random bytes in base64 (openssl rand -base64 32)`);
  }
  return buf;
}

function parseMasterKeyList(env: Env, name: string): Buffer[] {
  const raw = value(env, name);
  if (raw === undefined) return [];
  return raw
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part, i) => {
      const buf = /^[A-Za-z0-9+/]+={0,2}$/.test(part) ? Buffer.from(part, 'base64') : Buffer.alloc(0);
      if (buf.length !== 32) {
        throw new ConfigError(`${name} entry ${i + 1} must be 32 bytes in base64 (comma-separated list)`);
      }
      return buf;
    });
}

function parseReadableFile(env: Env, name: string, root: string): string | undefined {
  const raw = value(env, name);
  if (raw === undefined) return undefined;
  const file = path.resolve(root, raw);
  try {
    fs.accessSync(file, fs.constants.R_OK);
  } catch {
    throw new ConfigError(`${name} names a file that cannot be read: ${show(file)}`);
  }
  return file;
}

/** A readable file holding at least one PEM certificate. */
function parsePemCertificates(env: Env, name: string, root: string): string | undefined {
  const file = parseReadableFile(env, name, root);
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError(`${name} names a file that cannot be read: ${show(file)}`);
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    throw new ConfigError(`${name} must name a PEM file of CA certificates (none in ${show(file)})`);
  }
  return file;
}

function parseToken(env: Env, name: string): string | undefined {
  const raw = value(env, name);
  if (raw === undefined) return undefined;
  if (raw.length < 32 || /\s/.test(raw)) {
    throw new ConfigError(`${name} must be at least 32 characters with no whitespace`);
  }
  return raw;
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `0`, `250ms`, `1s`, `5m`, `2h`, `1d` → milliseconds. */
export function parseDuration(raw: string): number | undefined {
  const m = /^(\d+)(ms|s|m|h|d)?$/.exec(raw.trim());
  if (!m || m[1] === undefined) return undefined;
  const n = Number(m[1]);
  if (m[2] === undefined) return n === 0 ? 0 : undefined;
  const unit = DURATION_UNITS[m[2]];
  return unit === undefined ? undefined : n * unit;
}

function parseDurationValue(env: Env, name: string, dflt: string): number {
  const raw = value(env, name) ?? dflt;
  const ms = parseDuration(raw);
  if (ms === undefined || ms <= 0) {
    throw new ConfigError(`${name} must be a positive duration like 500ms, 30s or 2m (got ${show(raw)})`);
  }
  return ms;
}

function parseDurations(env: Env, name: string, dflt: string): number[] {
  const raw = value(env, name) ?? dflt;
  const parts = raw.split(',');
  const out: number[] = [];
  for (const p of parts) {
    const ms = parseDuration(p);
    if (ms === undefined) {
      throw new ConfigError(
        `${name} must be comma-separated durations like 0,1m,5m,2h (bad entry ${show(p)})`,
      );
    }
    out.push(ms);
  }
  if (out.length > 50) throw new ConfigError(`${name} allows at most 50 attempts (got ${out.length})`);
  return out;
}

function parseRetention(env: Env, name: string): number {
  const raw = value(env, name);
  if (raw === undefined || raw === 'forever' || raw === '-1') return -1;
  const ms = parseDuration(raw);
  if (ms === undefined || ms <= 0) {
    throw new ConfigError(`${name} must be a positive duration like 30d, or "forever" (got ${show(raw)})`);
  }
  return ms;
}

function parseCidrs(env: Env, name: string): string[] {
  const raw = value(env, name);
  if (raw === undefined) return [];
  const cidrs = raw.split(',').map((c) => c.trim());
  for (const c of cidrs) {
    const [addr, bits, extra] = c.split('/');
    const family = addr === undefined ? 0 : isIP(addr);
    const max = family === 4 ? 32 : 128;
    if (
      family === 0 ||
      extra !== undefined ||
      bits === undefined ||
      !/^\d{1,3}$/.test(bits) ||
      Number(bits) > max
    ) {
      throw new ConfigError(
        `${name} must be comma-separated CIDRs like 127.0.0.0/8,::1/128 (bad entry ${show(c)})`,
      );
    }
  }
  return cidrs;
}

/**
 * `https://<IPv4>|[<IPv6>]|<host name>:<port>`, comma-separated, each written back as
 * `https://host:port` (lower-case). The port is required: an origin is one host and one port.
 */
function parseOrigins(env: Env, name: string): string[] {
  const raw = value(env, name);
  if (raw === undefined) return [];
  const label = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
  return raw.split(',').map((entry) => {
    const e = entry.trim().toLowerCase();
    const m = /^https:\/\/(\[([0-9a-f:.]+)\]|[a-z0-9.-]+):(\d{1,5})\/?$/.exec(e);
    const host = m?.[1] ?? '';
    const port = Number(m?.[3]);
    const labels = host.split('.');
    const ok =
      m !== null &&
      port >= 1 &&
      port <= 65535 &&
      (m[2] !== undefined
        ? isIP(m[2]) === 6
        : isIP(host) === 4 ||
          (isIP(host) === 0 &&
            host.length <= 253 &&
            labels.every((l) => label.test(l)) &&
            !/^(0x[0-9a-f]*|\d+)$/.test(labels.at(-1) ?? '')));
    if (!ok) {
      throw new ConfigError(
        `${name} must be comma-separated origins like https://127.0.0.1:8443 (https, an IP or host name, and a port; bad entry ${show(entry.trim())})`,
      );
    }
    return `https://${host}:${port}`;
  });
}

/** Both PEM files or neither; relative paths are taken from the project root, like HERALD_DATA_DIR. */
function parseTls(env: Env, certName: string, keyName: string, root: string): TlsMaterial | undefined {
  const cert = value(env, certName);
  const key = value(env, keyName);
  if (cert === undefined && key === undefined) return undefined;
  if (cert === undefined || key === undefined) {
    throw new ConfigError(
      `${certName} and ${keyName} must be set together (got only ${cert ? certName : keyName})`,
    );
  }
  try {
    return loadTlsMaterial(path.resolve(root, cert), path.resolve(root, key));
  } catch (err) {
    if (err instanceof TlsMaterialError) throw new ConfigError(err.message);
    throw err;
  }
}
