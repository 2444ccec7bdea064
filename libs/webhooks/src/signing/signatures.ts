/**
 * The signature values of each scheme (DESIGN.md §7), byte for byte what receivers
 * recompute: integrators verify these strings, so any change here breaks them.
 */
import { createHmac, createPrivateKey, KeyObject, sign } from 'node:crypto';
import type { SigningKeys } from './webhook-headers';

/** The keys to sign with, newest first, so receivers that try the first value hit the new key. */
function keyList(keys: SigningKeys): string[] {
  return keys.previous === undefined ? [keys.current] : [keys.current, keys.previous];
}

/**
 * `t=<ts>,v1=<hex>[,v1_prev=<hex>]`. The HMAC key is the whole secret string as UTF-8,
 * prefix included: that is what the integrator was shown and pastes into the receiver.
 */
export function mobieusSignature(
  algorithm: 'sha256' | 'sha512',
  keys: SigningKeys,
  timestamp: number,
  body: string,
): string {
  const mac = (secret: string) => {
    if (secret.length === 0) throw new Error('signing key is empty');
    return createHmac(algorithm, Buffer.from(secret, 'utf8'))
      .update(`${timestamp}.`)
      .update(body, 'utf8')
      .digest('hex');
  };
  const parts = [`t=${timestamp}`, `v1=${mac(keys.current)}`];
  if (keys.previous !== undefined) parts.push(`v1_prev=${mac(keys.previous)}`);
  return parts.join(',');
}

/** Standard Webhooks symmetric: `v1,<base64 HMAC-SHA256>` per key, space-separated. */
export function standardWebhookSignature(
  keys: SigningKeys,
  id: string,
  timestamp: number,
  body: string,
): string {
  return keyList(keys)
    .map((secret) => {
      const mac = createHmac('sha256', standardSecretKey(secret))
        .update(`${id}.${timestamp}.`)
        .update(body, 'utf8')
        .digest('base64');
      return `v1,${mac}`;
    })
    .join(' ');
}

/** Standard Webhooks asymmetric: `v1a,<base64 Ed25519 signature>` per key, space-separated. */
export function ed25519WebhookSignature(
  keys: SigningKeys,
  id: string,
  timestamp: number,
  body: string,
): string {
  const content = Buffer.concat([Buffer.from(`${id}.${timestamp}.`, 'utf8'), Buffer.from(body, 'utf8')]);
  return keyList(keys)
    .map((secret) => `v1a,${sign(null, content, ed25519PrivateKey(secret)).toString('base64')}`)
    .join(' ');
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** `whsec_<base64>` → the raw key bytes, as the standardwebhooks libraries decode it. */
export function standardSecretKey(secret: string): Buffer {
  const encoded = withoutPrefix(secret, 'whsec_');
  const key = Buffer.from(encoded, 'base64');
  if (key.length === 0) throw new Error('standard-webhooks secret has an empty key');
  return key;
}

// RFC 8410 PKCS#8 wrapping of a raw 32-byte Ed25519 seed; node:crypto takes no raw private keys.
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** `whsk_<base64 32-byte seed>` → an Ed25519 private KeyObject. */
export function ed25519PrivateKey(secret: string): KeyObject {
  const seed = Buffer.from(withoutPrefix(secret, 'whsk_'), 'base64');
  if (seed.length !== 32) throw new Error('ed25519 signing key must be 32 bytes');
  return createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

function withoutPrefix(secret: string, prefix: string): string {
  const rest = secret.startsWith(prefix) ? secret.slice(prefix.length) : '';
  // The key is never echoed: a malformed secret still must not end up in logs.
  if (!BASE64.test(rest)) throw new Error(`signing key must be ${prefix}<base64>`);
  return rest;
}
