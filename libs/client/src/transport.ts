/**
 * HTTP for the clients: JSON in and out, bearer auth, the tenant's Host, typed errors and
 * optional waiting out `Retry-After` on 429. Uses the global fetch; when the Host header must
 * differ from the URL's host (an explicit override, or a `*.localhost` tenant host, which many
 * resolvers do not answer), it dials the URL's address itself through node:http(s), because
 * fetch does not let a caller set Host.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { HeraldApiError, parseJson } from './errors';

export interface RetryOptions {
  /** How many times to retry a 429 (default 2). */
  maxRetries?: number;
  /** Never wait longer than this per retry, in seconds (default 60): a longer `Retry-After` throws. */
  maxWaitSeconds?: number;
}

export interface TransportOptions {
  /**
   * Where Herald answers, e.g. `https://demo.herald.example` or `http://demo.localhost:3000`;
   * the tenant is the first label of the host. A `*.localhost` host is dialled on 127.0.0.1
   * with its name sent as Host.
   */
  baseUrl: string;
  /** Sent as `Authorization: Bearer …`. */
  token: string;
  /**
   * The Host header to send instead of the base URL's host, e.g. `demo.localhost:3000` when
   * the base URL is `http://127.0.0.1:3000`.
   */
  host?: string;
  /** Wait out `Retry-After` on 429 and retry; off by default. */
  retryRateLimited?: boolean | RetryOptions;
  /** Per-request timeout in milliseconds (default 30000). */
  timeoutMs?: number;
  /** Extra headers on every request (e.g. User-Agent). */
  headers?: Record<string, string>;
}

export interface RequestOptions {
  /** Sent as `X-Request-Id`; Herald echoes a sane one. */
  requestId?: string;
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class Transport {
  private readonly base: URL;
  private readonly hostHeader: string | undefined;
  private readonly retry: Required<RetryOptions> | undefined;

  constructor(private readonly options: TransportOptions) {
    this.base = new URL(options.baseUrl);
    if (this.base.protocol !== 'http:' && this.base.protocol !== 'https:') {
      throw new TypeError(`baseUrl must be http(s), not ${this.base.protocol}`);
    }
    this.hostHeader =
      options.host ?? (this.base.hostname.endsWith('.localhost') ? this.base.host : undefined);
    const r = options.retryRateLimited;
    this.retry = r ? { maxRetries: 2, maxWaitSeconds: 60, ...(r === true ? {} : r) } : undefined;
  }

  /** Sends one request and answers the parsed JSON body; throws HeraldApiError on any non-2xx. */
  async call<T>(
    method: string,
    path: string,
    query: object | undefined,
    body: unknown,
    options: RequestOptions | undefined,
  ): Promise<T> {
    const url = new URL(
      path.replace(/^\//, ''),
      this.base.href.endsWith('/') ? this.base : `${this.base.href}/`,
    );
    // OpenAPI's default query style (form, exploded): an array repeats its key.
    for (const [k, v] of Object.entries(query ?? {}) as Array<[string, unknown]>) {
      for (const item of Array.isArray(v) ? (v as unknown[]) : [v]) {
        if (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean') {
          url.searchParams.append(k, String(item));
        }
      }
    }
    const headers: Record<string, string> = {
      accept: 'application/json',
      authorization: `Bearer ${this.options.token}`,
      ...this.options.headers,
      ...options?.headers,
    };
    if (options?.requestId) headers['x-request-id'] = options.requestId;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    if (payload !== undefined) headers['content-type'] = 'application/json';

    for (let attempt = 0; ; attempt++) {
      const res = await this.send(method, url, headers, payload, options?.signal);
      if (res.status >= 200 && res.status < 300) return parseJson(res.text) as T;
      const error = HeraldApiError.fromResponse(res.status, res.headers, res.text);
      const wait = error.retryAfter ?? 1;
      if (
        res.status !== 429 ||
        !this.retry ||
        attempt >= this.retry.maxRetries ||
        wait > this.retry.maxWaitSeconds
      ) {
        throw error;
      }
      await sleep(wait * 1000);
    }
  }

  private send(
    method: string,
    url: URL,
    headers: Record<string, string>,
    payload: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<RawResponse> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 30_000);
    const combined = signal ? anySignal([signal, timeout]) : timeout;
    if (this.hostHeader !== undefined) return this.sendWithHost(method, url, headers, payload, combined);
    return fetch(url, { method, headers, body: payload, signal: combined, redirect: 'manual' }).then(
      async (res) => ({ status: res.status, headers: res.headers, text: await res.text() }),
    );
  }

  private sendWithHost(
    method: string,
    url: URL,
    headers: Record<string, string>,
    payload: string | undefined,
    signal: AbortSignal,
  ): Promise<RawResponse> {
    const hostHeader = this.hostHeader!;
    const name = url.hostname.replace(/^\[|\]$/g, '');
    const dial = name === 'localhost' || name.endsWith('.localhost') ? '127.0.0.1' : name;
    const lib = url.protocol === 'https:' ? https : http;
    return new Promise<RawResponse>((resolve, reject) => {
      const req = lib.request(
        {
          host: dial,
          port: url.port || (url.protocol === 'https:' ? 443 : 80),
          path: url.pathname + url.search,
          method,
          headers: { ...headers, host: hostHeader },
          servername: hostHeader.replace(/:\d+$/, ''),
          signal,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const h = new Headers();
            for (const [k, v] of Object.entries(res.headers)) {
              if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(', ') : v);
            }
            resolve({
              status: res.statusCode ?? 0,
              headers: h,
              text: Buffer.concat(chunks).toString('utf8'),
            });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }
}

function anySignal(signals: AbortSignal[]): AbortSignal {
  const controller = new AbortController();
  for (const s of signals) {
    if (s.aborted) {
      controller.abort(s.reason);
      break;
    }
    s.addEventListener('abort', () => controller.abort(s.reason), { once: true });
  }
  return controller.signal;
}
