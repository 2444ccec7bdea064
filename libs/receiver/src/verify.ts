/**
 * Verification of Herald webhook deliveries, for every signing scheme Herald uses:
 *
 * - `mobieus-v1` / `mobieus-v1-sha512`: `Mobieus-Signature: t=<unix>,v1=<hex>[,v1_prev=<hex>]`,
 *   HMAC-SHA256/512 keyed by the whole secret string (UTF-8) over `t + "." + body`;
 * - `standard-webhooks`: `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64> …`,
 *   HMAC-SHA256 keyed by the bytes of `whsec_<base64>` over `id + "." + t + "." + body`;
 * - `standard-webhooks-ed25519`: the same headers with `v1a,<base64>` Ed25519 signatures,
 *   checked with the endpoint's public key `whpk_<base64>`.
 *
 * Signatures are checked over the body bytes exactly as received, compared in constant
 * time, and only then is the body parsed.
 */
import {
  createHmac,
  createPublicKey,
  KeyObject,
  timingSafeEqual,
  verify as verifySignature,
} from 'node:crypto';
import { WebhookVerificationError } from './errors';
import { SigningScheme, SIGNING_SCHEMES, VerifiedDelivery, WebhookEvent } from './event';
import { header, WebhookHeaders } from './headers';

export interface VerifyOptions {
  /** How far (seconds) the signed timestamp may be from now, either way. Default 300. */
  toleranceSeconds?: number;
  /** The clock to compare with; default the system clock. */
  now?: Date;
  /** Skip detection and require this scheme. */
  scheme?: SigningScheme;
}

/**
 * A secret (or, for `standard-webhooks-ed25519`, a `whpk_` public key) as Herald showed it;
 * during a rotation, pass both the new and the old one.
 */
export type WebhookSecrets = string | readonly string[];

export type RawBody = Buffer | Uint8Array | string;

export const DEFAULT_TOLERANCE_SECONDS = 300;

/** Verifies a delivery and returns its parsed event; throws `WebhookVerificationError` otherwise. */
export function verify<TData extends object = Record<string, unknown>>(
  headers: WebhookHeaders,
  rawBody: RawBody,
  secrets: WebhookSecrets,
  options: VerifyOptions = {},
): WebhookEvent<TData> {
  return verifyDelivery<TData>(headers, rawBody, secrets, options).event;
}

/** Like `verify`, also telling which scheme, timestamp and key matched. */
export function verifyDelivery<TData extends object = Record<string, unknown>>(
  headers: WebhookHeaders,
  rawBody: RawBody,
  secrets: WebhookSecrets,
  options: VerifyOptions = {},
): VerifiedDelivery<TData> {
  const keys = (typeof secrets === 'string' ? [secrets] : [...secrets]).filter((s) => s.length > 0);
  if (keys.length === 0) throw new WebhookVerificationError('no_secret', 'no webhook secret configured');
  const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : Buffer.from(rawBody);
  const scheme = options.scheme ?? detectScheme(headers, keys);
  if (!SIGNING_SCHEMES.includes(scheme)) {
    throw new WebhookVerificationError('malformed', `unknown signing scheme ${String(scheme)}`);
  }
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const nowSec = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const match =
    scheme === 'mobieus-v1' || scheme === 'mobieus-v1-sha512'
      ? verifyMobieus(scheme === 'mobieus-v1' ? 'sha256' : 'sha512', headers, body, keys, nowSec, tolerance)
      : verifyStandard(scheme, headers, body, keys, nowSec, tolerance);
  return { ...match, scheme, event: parseEvent<TData>(body) };
}

/**
 * The scheme from the headers: `Mobieus-Signature` (hex length tells SHA-256 from SHA-512)
 * or `webhook-signature` (a `whpk_` key, or `v1a,` entries with no `v1,`, mean Ed25519).
 */
export function detectScheme(headers: WebhookHeaders, secrets: readonly string[] = []): SigningScheme {
  const mobieus = header(headers, 'mobieus-signature');
  if (mobieus !== undefined) {
    const v1 = /(?:^|,)\s*v1=([0-9a-fA-F]*)/.exec(mobieus)?.[1];
    return v1?.length === 128 ? 'mobieus-v1-sha512' : 'mobieus-v1';
  }
  const standard = header(headers, 'webhook-signature');
  if (standard !== undefined) {
    if (secrets.length > 0 && secrets.every((s) => s.startsWith('whpk_'))) return 'standard-webhooks-ed25519';
    const versions = standard.split(' ').map((s) => s.split(',')[0]);
    return versions.includes('v1a') && !versions.includes('v1')
      ? 'standard-webhooks-ed25519'
      : 'standard-webhooks';
  }
  throw new WebhookVerificationError('missing_signature', 'no Mobieus-Signature or webhook-signature header');
}

interface Match {
  timestamp: number;
  secretIndex: number;
  matched: VerifiedDelivery['matched'];
}

function verifyMobieus(
  algorithm: 'sha256' | 'sha512',
  headers: WebhookHeaders,
  body: Buffer,
  secrets: readonly string[],
  nowSec: number,
  tolerance: number,
): Match {
  const value = header(headers, 'mobieus-signature');
  if (value === undefined || value.trim() === '') {
    throw new WebhookVerificationError('missing_signature', 'no Mobieus-Signature header');
  }
  const fields = new Map<string, string[]>();
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new WebhookVerificationError('malformed', 'Mobieus-Signature is not t=…,v1=…');
    const key = part.slice(0, eq).trim();
    fields.set(key, [...(fields.get(key) ?? []), part.slice(eq + 1).trim()]);
  }
  const t = fields.get('t');
  if (t === undefined) throw new WebhookVerificationError('missing_timestamp', 'Mobieus-Signature has no t=');
  if (t.length !== 1)
    throw new WebhookVerificationError('malformed', 'Mobieus-Signature has more than one t=');
  const timestamp = checkTimestamp(t[0]!, nowSec, tolerance);
  const hexLength = algorithm === 'sha256' ? 64 : 128;
  const candidates = (name: 'v1' | 'v1_prev') =>
    (fields.get(name) ?? []).map((hex) => {
      if (hex.length !== hexLength || !/^[0-9a-fA-F]+$/.test(hex)) {
        throw new WebhookVerificationError(
          'malformed',
          `Mobieus-Signature ${name} is not ${hexLength} hex digits`,
        );
      }
      return Buffer.from(hex, 'hex');
    });
  const v1 = candidates('v1');
  const prev = candidates('v1_prev');
  if (v1.length === 0)
    throw new WebhookVerificationError('missing_signature', 'Mobieus-Signature has no v1=');
  const macs = secrets.map((secret) =>
    createHmac(algorithm, Buffer.from(secret, 'utf8')).update(`${timestamp}.`).update(body).digest(),
  );
  for (const [matched, given] of [
    ['v1', v1],
    ['v1_prev', prev],
  ] as const) {
    const secretIndex = macs.findIndex((mac) => given.some((sig) => safeEqual(mac, sig)));
    if (secretIndex >= 0) return { timestamp, secretIndex, matched };
  }
  throw new WebhookVerificationError('bad_signature', 'no signature matches any of the secrets');
}

function verifyStandard(
  scheme: 'standard-webhooks' | 'standard-webhooks-ed25519',
  headers: WebhookHeaders,
  body: Buffer,
  secrets: readonly string[],
  nowSec: number,
  tolerance: number,
): Match {
  const signature = header(headers, 'webhook-signature');
  if (signature === undefined || signature.trim() === '') {
    throw new WebhookVerificationError('missing_signature', 'no webhook-signature header');
  }
  const id = header(headers, 'webhook-id');
  if (id === undefined || id === '' || /[\s,]/.test(id)) {
    throw new WebhookVerificationError('malformed', 'webhook-id is missing or not a single id');
  }
  const ts = header(headers, 'webhook-timestamp');
  if (ts === undefined)
    throw new WebhookVerificationError('missing_timestamp', 'no webhook-timestamp header');
  const timestamp = checkTimestamp(ts, nowSec, tolerance);
  const version = scheme === 'standard-webhooks' ? 'v1' : 'v1a';
  const given: Buffer[] = [];
  for (const entry of signature.trim().split(/ +/)) {
    const comma = entry.indexOf(',');
    if (comma <= 0)
      throw new WebhookVerificationError('malformed', 'webhook-signature entry is not <version>,<base64>');
    if (entry.slice(0, comma) !== version) continue;
    const encoded = entry.slice(comma + 1);
    if (!BASE64.test(encoded))
      throw new WebhookVerificationError('malformed', 'webhook-signature is not base64');
    given.push(Buffer.from(encoded, 'base64'));
  }
  if (given.length === 0) {
    throw new WebhookVerificationError('missing_signature', `webhook-signature has no ${version}, signature`);
  }
  const signed = Buffer.concat([Buffer.from(`${id}.${timestamp}.`, 'utf8'), body]);
  // A list may hold both kinds during a change of scheme: each signature kind is tried with its own keys.
  const isPublicKey = (key: string) => key.startsWith('whpk_');
  if (!secrets.some((key) => isPublicKey(key) === (scheme === 'standard-webhooks-ed25519'))) {
    throw new WebhookVerificationError(
      'no_secret',
      scheme === 'standard-webhooks'
        ? 'no whsec_ secret to check v1 with'
        : 'no whpk_ public key to check v1a with',
    );
  }
  const secretIndex =
    scheme === 'standard-webhooks'
      ? secrets.findIndex((secret) => {
          if (isPublicKey(secret)) return false;
          const mac = createHmac('sha256', hmacKey(secret)).update(signed).digest();
          return given.some((sig) => safeEqual(mac, sig));
        })
      : secrets.findIndex((key) => {
          if (!isPublicKey(key)) return false;
          const publicKey = ed25519PublicKey(key);
          return given.some((sig) => sig.length === 64 && verifySignature(null, signed, publicKey, sig));
        });
  if (secretIndex < 0)
    throw new WebhookVerificationError('bad_signature', 'no signature matches any of the keys');
  return { timestamp, secretIndex, matched: version };
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** `whsec_<base64>` (or bare base64, as the standardwebhooks libraries accept) → key bytes. */
function hmacKey(secret: string): Buffer {
  const encoded = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  if (!BASE64.test(encoded)) throw new WebhookVerificationError('no_secret', 'secret must be whsec_<base64>');
  return Buffer.from(encoded, 'base64');
}

// RFC 8410 SubjectPublicKeyInfo prefix of a raw 32-byte Ed25519 key: node:crypto takes no raw keys.
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const publicKeys = new Map<string, KeyObject>();

/** `whpk_<base64 32 bytes>` → a public KeyObject (cached: endpoints have one or two keys). */
function ed25519PublicKey(key: string): KeyObject {
  let found = publicKeys.get(key);
  if (found) return found;
  const raw = key.startsWith('whpk_') ? Buffer.from(key.slice('whpk_'.length), 'base64') : Buffer.alloc(0);
  if (raw.length !== 32)
    throw new WebhookVerificationError('no_secret', 'ed25519 public key must be whpk_<base64 32 bytes>');
  found = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
  if (publicKeys.size > 64) publicKeys.clear();
  publicKeys.set(key, found);
  return found;
}

function checkTimestamp(value: string, nowSec: number, tolerance: number): number {
  if (!/^\d{1,12}$/.test(value.trim()))
    throw new WebhookVerificationError('malformed', 'timestamp is not unix seconds');
  const timestamp = Number(value.trim());
  if (Math.abs(nowSec - timestamp) > tolerance) {
    throw new WebhookVerificationError(
      'stale_timestamp',
      `timestamp is ${timestamp < nowSec ? 'older' : 'newer'} than the ${tolerance} s tolerance`,
    );
  }
  return timestamp;
}

function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function parseEvent<TData extends object>(body: Buffer): WebhookEvent<TData> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new WebhookVerificationError('malformed', 'body is not JSON');
  }
  const e = parsed as Partial<Record<keyof WebhookEvent, unknown>> | null;
  if (
    typeof e !== 'object' ||
    e === null ||
    Array.isArray(e) ||
    typeof e.id !== 'string' ||
    e.id === '' ||
    typeof e.type !== 'string' ||
    typeof e.created_at !== 'string' ||
    typeof e.data !== 'object' ||
    e.data === null
  ) {
    throw new WebhookVerificationError(
      'malformed',
      'body is not a Herald event {id, type, created_at, data}',
    );
  }
  return parsed as WebhookEvent<TData>;
}
