/**
 * Sends one attempt: a POST through an undici Agent (a keep-alive pool per origin) whose
 * connector is the SSRF guard, so the address dialled is the address checked. The whole
 * attempt — connect, TLS, headers, the capped body read — is bounded by one timeout.
 * Redirects are never followed: a 3xx is an answer, and a failed one.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { createSecureContext, rootCertificates } from 'node:tls';
import { Agent } from 'undici';
import type { Dispatcher } from 'undici';
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
  /** Each endpoint URL parsed once: where to dial and the path to ask for. */
  private readonly targets = new Map<string, { origin: string; path: string }>();

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

  /**
   * One attempt, answered within `timeoutMs` whatever happens: the answer (status, headers,
   * the body up to the read cap) or what went wrong. Never rejects.
   *
   * Straight on undici's dispatch interface rather than `request()`: no body stream, no
   * abort signal and no promise per chunk, which together cost about as much CPU as the
   * request itself.
   */
  send(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<SendResult> {
    return new Promise((resolve) => {
      const attempt = new Attempt(timeoutMs, resolve);
      try {
        const { origin, path } = this.target(url);
        this.agent.dispatch(
          {
            origin,
            path,
            method: 'POST',
            headers,
            body,
            headersTimeout: timeoutMs,
            bodyTimeout: timeoutMs,
          },
          attempt,
        );
      } catch (err) {
        attempt.onResponseError(null, err as Error);
      }
    });
  }

  async close(): Promise<void> {
    await this.agent.close().catch(() => this.agent.destroy());
  }

  private target(url: string): { origin: string; path: string } {
    let target = this.targets.get(url);
    if (!target) {
      const parsed = new URL(url);
      target = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
      if (this.targets.size >= MAX_TARGETS) this.targets.clear();
      this.targets.set(url, target);
    }
    return target;
  }
}

const MAX_TARGETS = 10_000;

/** Ends an attempt from our side: its time is up, or the body read reached the cap. */
class AttemptOver extends Error {}

/**
 * The life of one attempt as undici reports it. It settles once: with the answer, with the
 * error, or at its deadline, which bounds the whole attempt (connect, TLS, headers, the
 * body read), even a connect that never completes: whatever undici reports after that is
 * ignored, and a request it dispatches late is aborted before it is written.
 */
class Attempt implements Dispatcher.DispatchHandler {
  private readonly started = performance.now();
  private readonly timer: NodeJS.Timeout;
  private controller: Dispatcher.DispatchController | null = null;
  private statusCode: number | null = null;
  private headers: IncomingHttpHeaders = {};
  private chunks: Buffer[] = [];
  private size = 0;
  private settled = false;

  constructor(
    private readonly timeoutMs: number,
    private readonly resolve: (result: SendResult) => void,
  ) {
    this.timer = setTimeout(() => this.expire(), timeoutMs);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.settled) controller.abort(new AttemptOver('attempt already over'));
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
  ): void {
    if (statusCode < 200) return; // informational: the answer is still to come
    this.statusCode = statusCode;
    this.headers = headers;
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.settled) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
    if (this.size < RESPONSE_READ_CAP) return;
    // Enough for the log: the rest is not read, and the connection is not reused.
    this.answered(null);
    controller.abort(new AttemptOver('response body read cap reached'));
  }

  onResponseEnd(): void {
    this.answered(null);
  }

  onResponseError(_controller: Dispatcher.DispatchController | null, err: Error): void {
    if (this.settled) return;
    if (this.statusCode === null) this.failed(describe(err, this.timeoutMs));
    else this.answered(`response body: ${describe(err, this.timeoutMs)}`);
  }

  private expire(): void {
    if (this.settled) return;
    const reason = `timeout: no complete answer within ${this.timeoutMs} ms`;
    if (this.statusCode === null) this.failed(reason);
    else this.answered(`response body: ${reason}`);
    this.controller?.abort(new AttemptOver(reason));
  }

  /** The answer came; `error` when its body could not be read to the end or to the cap. */
  private answered(error: string | null): void {
    if (this.settled) return;
    const text =
      error === null
        ? Buffer.concat(this.chunks, this.size)
            .subarray(0, RESPONSE_READ_CAP)
            .toString('utf8')
            .slice(0, RESPONSE_KEEP_CHARS)
        : null;
    this.settle({ statusCode: this.statusCode, headers: this.headers, body: text, error });
  }

  private failed(error: string): void {
    this.settle({ statusCode: null, headers: {}, body: null, error });
  }

  private settle(result: Omit<SendResult, 'latencyMs'>): void {
    this.settled = true;
    clearTimeout(this.timer);
    this.chunks = [];
    this.resolve({ ...result, latencyMs: Math.round(performance.now() - this.started) });
  }
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
