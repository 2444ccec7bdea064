/**
 * Sends one attempt: a POST through an undici Agent (a keep-alive pool per origin) whose
 * connector is the SSRF guard, so the address dialled is the address checked. The whole
 * attempt — connect, TLS, headers, the capped body read — is bounded by one timeout.
 * Redirects are never followed: a 3xx is an answer, and a failed one.
 */
import { createSecureContext, rootCertificates } from 'node:tls';
import { Agent } from 'undici';
import type { SsrfGuard } from '../ssrf/ssrf-guard';

/** Bytes of a response body read at most; the attempt log keeps the first 2,000 characters. */
export const RESPONSE_READ_CAP = 16 * 1024;
export const RESPONSE_KEEP_CHARS = 2000;

export interface SendResult {
  statusCode: number | null;
  headers: Record<string, string | string[] | undefined>;
  body: string | null;
  latencyMs: number;
  error: string | null;
}

export class WebhookSender {
  private readonly agent: Agent;

  /** `extraCa`: CA certificates (PEM) trusted besides the system roots, e.g. a dev receiver's. */
  constructor(guard: SsrfGuard, extraCa: string[] | undefined) {
    // One context for every connection: building one per TLS handshake from ~150 roots costs
    // tens of milliseconds of CPU each time.
    const secureContext = extraCa
      ? createSecureContext({ ca: [...rootCertificates, ...extraCa] })
      : undefined;
    this.agent = new Agent({
      connect: guard.connector(secureContext ? { secureContext } : {}),
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 120_000,
      pipelining: 1,
    });
  }

  async send(
    url: string,
    headers: Record<string, string>,
    body: string,
    timeoutMs: number,
  ): Promise<SendResult> {
    const started = performance.now();
    // One timer for the whole attempt, cleared when it ends: AbortSignal.timeout would leave
    // a timer behind every attempt, firing long after the answer came.
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new DOMException('attempt timed out', 'TimeoutError')),
      timeoutMs,
    );
    const target = new URL(url);
    try {
      const res = await this.agent.request({
        origin: target.origin,
        path: `${target.pathname}${target.search}`,
        method: 'POST',
        headers,
        body,
        signal: controller.signal,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      let text: string | null = null;
      let error: string | null = null;
      try {
        text = await readCapped(res.body);
      } catch (err) {
        error = `response body: ${describe(err, timeoutMs)}`;
      }
      return {
        statusCode: res.statusCode,
        headers: res.headers,
        body: text === null ? null : text.slice(0, RESPONSE_KEEP_CHARS),
        latencyMs: Math.round(performance.now() - started),
        error,
      };
    } catch (err) {
      return {
        statusCode: null,
        headers: {},
        body: null,
        latencyMs: Math.round(performance.now() - started),
        error: describe(err, timeoutMs),
      };
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.agent.close().catch(() => this.agent.destroy());
  }
}

async function readCapped(body: AsyncIterable<Buffer> & { destroy(): unknown }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= RESPONSE_READ_CAP) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, RESPONSE_READ_CAP).toString('utf8');
}

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  cause?: unknown;
}

/**
 * One line for the attempt log: what failed, never a stack. Duck-typed: abort reasons
 * are DOMExceptions, which need not be `instanceof Error`.
 */
function describe(err: unknown, timeoutMs: number): string {
  if (err === null || typeof err !== 'object') return String(err);
  const e = err as ErrorLike;
  const code = typeof e.code === 'string' ? e.code : '';
  if (e.name === 'TimeoutError' || e.name === 'AbortError' || /TIMEOUT/i.test(code)) {
    return `timeout: no complete answer within ${timeoutMs} ms`;
  }
  const root = (e.cause && typeof e.cause === 'object' ? e.cause : e) as ErrorLike;
  const message = typeof root.message === 'string' ? root.message : 'unknown error';
  if (message.startsWith('ssrf:')) return message;
  const rootCode = typeof root.code === 'string' ? root.code : '';
  return rootCode && !message.includes(rootCode) ? `${rootCode}: ${message}` : message;
}
