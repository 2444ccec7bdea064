/**
 * What of an audit row's `details` the API shows. Writers never put a secret there (keys
 * and signing secrets are shown once and stored hashed or sealed), but details are free
 * JSON written by several contexts, so the reader holds the line too: a value under a
 * key that names a credential is replaced, and a URL loses its userinfo and the values
 * of its query string, where receivers often carry tokens.
 */
const CREDENTIAL_KEY = /secret|password|passwd|token|authorization|signature|key_hash|api_key|^key$/i;
export const REDACTED = '[redacted]';
const MAX_DEPTH = 8;

export function redactAuditDetails(details: unknown): Record<string, unknown> {
  const out = redact(details, 0);
  return out !== null && typeof out === 'object' && !Array.isArray(out)
    ? (out as Record<string, unknown>)
    : {};
}

function redact(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return redactUrl(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return REDACTED;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = CREDENTIAL_KEY.test(k) && v !== null ? REDACTED : redact(v, depth + 1);
  }
  return out;
}

/** An absolute http(s) URL with its userinfo and query values masked; any other text as it is. */
export function redactUrl(text: string): string {
  if (!/^https?:\/\//i.test(text)) return text;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return text;
  }
  if (!url.username && !url.password && !url.search) return text;
  url.username = '';
  url.password = '';
  const keys = [...new Set(url.searchParams.keys())];
  url.search = keys.length === 0 ? '' : keys.map((k) => `${encodeURIComponent(k)}=***`).join('&');
  return url.toString();
}
