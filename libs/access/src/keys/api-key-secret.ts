/**
 * API key material: `mc_live_` / `mc_test_` + 32 CSPRNG bytes in base64url. Only the
 * SHA-256 of the whole key is stored, plus a short display prefix; the plaintext exists
 * once, in the create response.
 */
import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

export type KeyMode = 'live' | 'test';

export const KEY_RANDOM_BYTES = 32;
/** Characters of the random part kept for display ("mc_live_AbCd1234…"). */
const DISPLAY_CHARS = 8;
const KEY_SHAPE = /^mc_(live|test)_[A-Za-z0-9_-]{43}$/;

export interface MintedKey {
  key: string;
  mode: KeyMode;
  prefix: string;
  hash: Buffer;
}

export function mintApiKey(mode: KeyMode): MintedKey {
  const key = `mc_${mode}_${randomBytes(KEY_RANDOM_BYTES).toString('base64url')}`;
  return { key, mode, prefix: key.slice(0, `mc_${mode}_`.length + DISPLAY_CHARS), hash: hashApiKey(key) };
}

/** One-shot `crypto.hash`: this runs on every request, and skips a Hash object per call. */
export function hashApiKey(key: string): Buffer {
  return hash('sha256', key, 'buffer');
}

/** True for a string shaped like a key; anything else is refused before any lookup. */
export function isWellFormedApiKey(key: string): boolean {
  return KEY_SHAPE.test(key);
}

export function sameHash(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
