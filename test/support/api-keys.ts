/**
 * API keys for tests of routes behind the access guard: minted straight into the run's
 * database (so a test can also make keys the API would refuse to create, e.g. already
 * expired), and requests addressed to a tenant by its Host name.
 */
import type { Scope } from '@herald/contracts';
import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { DataSource } from 'typeorm';
import { KeyMode, mintApiKey } from '../../libs/access/src/keys/api-key-secret';

export interface TestKey {
  id: string;
  key: string;
  tenant: string;
}

export async function mintTestKey(
  ds: DataSource,
  tenant: string,
  scopes: Scope[],
  opts: { mode?: KeyMode; expiresAt?: Date; ratePerMinute?: number; dailyQuota?: number } = {},
): Promise<TestKey> {
  const minted = mintApiKey(opts.mode ?? 'live');
  const id = `key_test_${randomBytes(8).toString('hex')}`;
  await ds.query(
    `INSERT INTO api_keys (id, tenant, mode, label, prefix, key_hash, scopes, rate_limit_per_minute, daily_quota, expires_at, created_by)
     VALUES ($1, $2, $3, 'test', $4, $5, $6, $7, $8, $9, 'test')`,
    [
      id,
      tenant,
      minted.mode,
      minted.prefix,
      minted.hash,
      scopes,
      opts.ratePerMinute ?? null,
      opts.dailyQuota ?? null,
      opts.expiresAt ?? null,
    ],
  );
  return { id, key: minted.key, tenant };
}

export interface ApiResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: any;
  /** The body as received. */
  text: string;
}

/**
 * A request to the public API as `<tenant>.<baseDomain>` (fetch cannot set Host).
 * `tenant: null` sends the bare `host` as given in `opts.host`.
 */
export function apiRequest(
  baseUrl: string,
  path: string,
  opts: {
    tenant?: string | null;
    key?: string;
    authorization?: string;
    method?: string;
    host?: string;
    baseDomain?: string;
    body?: unknown;
    headers?: Record<string, string>;
  } = {},
): Promise<ApiResponse> {
  const url = new URL(path, baseUrl);
  const host =
    opts.host ?? (opts.tenant ? `${opts.tenant}.${opts.baseDomain ?? 'localhost'}:${url.port}` : url.host);
  const headers: Record<string, string> = { host, ...opts.headers };
  if (opts.authorization !== undefined) headers.authorization = opts.authorization;
  else if (opts.key !== undefined) headers.authorization = `Bearer ${opts.key}`;
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  if (payload !== undefined) headers['content-type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        hostname: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: opts.method ?? 'GET',
        headers,
      },
      (res) => {
        let raw = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (raw += chunk));
        res.on('end', () => {
          let body: unknown = raw;
          try {
            body = raw === '' ? undefined : JSON.parse(raw);
          } catch {
            // not JSON: keep the text
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: raw });
        });
      },
    );
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}
