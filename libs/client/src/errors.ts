/** The typed errors of the client: what Herald answered, never a bare HTTP status. */

/** One problem of a request, as `details` lists them for `bad_request` and `invalid_events`. */
export interface ErrorDetail {
  field?: string;
  index?: number;
  reason: string;
}

/**
 * A non-2xx answer, carrying Herald's error envelope: branch on `code` (stable, snake_case),
 * quote `requestId` when reporting a problem. An answer that is not Herald's JSON envelope
 * (a proxy's error page, say) has the code `unexpected_response`.
 */
export class HeraldApiError extends Error {
  override readonly name = 'HeraldApiError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown,
    readonly requestId: string | undefined,
    /** Seconds to wait before retrying, from `Retry-After` (429, 503). */
    readonly retryAfter?: number,
  ) {
    super(message);
  }

  /** `details` as the list of problems, when it is one. */
  get problems(): ErrorDetail[] {
    return Array.isArray(this.details) ? (this.details as ErrorDetail[]) : [];
  }

  /** Builds the error from a response's status, headers and (possibly non-JSON) body. */
  static fromResponse(status: number, headers: Headers, text: string): HeraldApiError {
    const requestId = headers.get('x-request-id') ?? undefined;
    const retryAfter = parseRetryAfter(headers.get('retry-after'));
    const envelope = parseJson(text) as
      | { error?: { code?: unknown; message?: unknown; details?: unknown }; meta?: { request_id?: unknown } }
      | undefined;
    const err = envelope?.error;
    if (err && typeof err.code === 'string') {
      const rid = typeof envelope.meta?.request_id === 'string' ? envelope.meta.request_id : requestId;
      const message = typeof err.message === 'string' ? err.message : err.code;
      return new HeraldApiError(status, err.code, message, err.details, rid, retryAfter);
    }
    const snippet = text.slice(0, 200);
    return new HeraldApiError(
      status,
      'unexpected_response',
      `HTTP ${status} without Herald's error envelope${snippet ? `: ${snippet}` : ''}`,
      undefined,
      requestId,
      retryAfter,
    );
  }
}

export function parseJson(text: string): unknown {
  try {
    return text === '' ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `Retry-After` as seconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}
