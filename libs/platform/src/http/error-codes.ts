/**
 * The stable error codes of the HTTP API (DESIGN.md §6). A code is defined once with its
 * status and a one-sentence meaning; code throws it with `.error(message)` and the OpenAPI
 * document lists it from the same definition, so the reference cannot drift from the code.
 */
import { DomainError } from './errors';

export class ErrorCode {
  constructor(
    readonly code: string,
    readonly status: number,
    /** One sentence for the API reference: when a client sees this code. */
    readonly description: string,
  ) {
    if (!/^[a-z][a-z0-9_]*$/.test(code)) throw new Error(`error codes are snake_case (got ${code})`);
  }

  error(message: string, details?: unknown): DomainError {
    return new DomainError(this.code, message, this.status, details);
  }
}

export const BAD_REQUEST = new ErrorCode(
  'bad_request',
  400,
  'A parameter or body field is missing or invalid (text with NUL or a lone UTF-16 surrogate included); `details` lists each `{field, reason}`.',
);
export const INVALID_JSON = new ErrorCode(
  'invalid_json',
  400,
  'The body is not valid JSON although `Content-Type` says `application/json`, or nests arrays and objects deeper than 64 levels.',
);
export const INVALID_CURSOR = new ErrorCode(
  'invalid_cursor',
  400,
  '`cursor` was not issued by this list for this tenant (forged, altered or foreign).',
);
export const INVALID_API_KEY = new ErrorCode(
  'invalid_api_key',
  401,
  'No bearer key, or a key that is unknown, revoked, expired or of another tenant.',
);
export const INVALID_TOKEN = new ErrorCode(
  'invalid_token',
  401,
  'An OAuth access token that is unknown, expired, of a revoked client or of another tenant.',
);
export const INSUFFICIENT_SCOPE = new ErrorCode(
  'insufficient_scope',
  403,
  'The key is valid but lacks a scope the operation requires.',
);
export const HTTPS_REQUIRED = new ErrorCode(
  'https_required',
  403,
  'The request came over plain HTTP; the production API answers HTTPS only.',
);
export const TENANT_NOT_FOUND = new ErrorCode(
  'tenant_not_found',
  404,
  'The first label of the `Host` names no tenant of this deployment.',
);
export const NOT_FOUND = new ErrorCode('not_found', 404, 'No route matches the path.');
export const METHOD_NOT_ALLOWED = new ErrorCode(
  'method_not_allowed',
  405,
  'The path exists but not for this method; the `Allow` header lists the methods it takes.',
);
export const REQUEST_TIMEOUT = new ErrorCode('request_timeout', 408, 'The request was not received in time.');
export const PAYLOAD_TOO_LARGE = new ErrorCode(
  'payload_too_large',
  413,
  'The body is larger than the server accepts.',
);
export const URI_TOO_LONG = new ErrorCode('uri_too_long', 414, 'A path parameter is longer than allowed.');
export const UNSUPPORTED_MEDIA_TYPE = new ErrorCode(
  'unsupported_media_type',
  415,
  'The body is not `application/json`.',
);
export const RATE_LIMITED = new ErrorCode(
  'rate_limited',
  429,
  'The key used up its per-minute limit; retry after `Retry-After` seconds.',
);
export const QUOTA_EXCEEDED = new ErrorCode(
  'quota_exceeded',
  429,
  'The key used up its daily quota; `details.reset_at` (and `Retry-After`) say when the next UTC day starts it again.',
);
export const HEADERS_TOO_LARGE = new ErrorCode(
  'headers_too_large',
  431,
  'The request headers are larger than the server accepts.',
);
export const INTERNAL_ERROR = new ErrorCode(
  'internal_error',
  500,
  'An unexpected error; the message carries the request id to quote when reporting it.',
);
export const SERVICE_UNAVAILABLE = new ErrorCode(
  'service_unavailable',
  503,
  'The server is shutting down or not ready; retry on another instance or shortly.',
);

/** Every code the platform itself can answer with, in status order. */
export const PLATFORM_ERROR_CODES: readonly ErrorCode[] = [
  BAD_REQUEST,
  INVALID_JSON,
  INVALID_CURSOR,
  INVALID_API_KEY,
  INVALID_TOKEN,
  INSUFFICIENT_SCOPE,
  HTTPS_REQUIRED,
  TENANT_NOT_FOUND,
  NOT_FOUND,
  METHOD_NOT_ALLOWED,
  REQUEST_TIMEOUT,
  PAYLOAD_TOO_LARGE,
  URI_TOO_LONG,
  UNSUPPORTED_MEDIA_TYPE,
  RATE_LIMITED,
  QUOTA_EXCEEDED,
  HEADERS_TOO_LARGE,
  INTERNAL_ERROR,
  SERVICE_UNAVAILABLE,
];
