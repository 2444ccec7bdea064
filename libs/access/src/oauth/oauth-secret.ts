/**
 * OAuth client material. A client id is `client_<ULID>` (not a secret); a client secret is
 * `mc_cs_` and an access token `mc_at_` + 32 CSPRNG bytes in base64url. Only their SHA-256
 * is stored; the plaintext of a secret exists once, in the create output, and of a token
 * once, in the token response.
 */
import { randomBytes } from 'node:crypto';
import { hashApiKey, KEY_RANDOM_BYTES } from '../keys/api-key-secret';

const SECRET_PREFIX = 'mc_cs_';
const TOKEN_PREFIX = 'mc_at_';
/** Characters of the random part of a secret kept for display. */
const DISPLAY_CHARS = 8;
const SECRET_SHAPE = /^mc_cs_[A-Za-z0-9_-]{43}$/;
const TOKEN_SHAPE = /^mc_at_[A-Za-z0-9_-]{43}$/;
export const CLIENT_ID_SHAPE = /^client_[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

export interface MintedSecret {
  value: string;
  prefix: string;
  hash: Buffer;
}

export function mintClientSecret(): MintedSecret {
  const value = `${SECRET_PREFIX}${randomBytes(KEY_RANDOM_BYTES).toString('base64url')}`;
  return { value, prefix: value.slice(0, SECRET_PREFIX.length + DISPLAY_CHARS), hash: hashApiKey(value) };
}

export function mintAccessToken(): { value: string; hash: Buffer } {
  const value = `${TOKEN_PREFIX}${randomBytes(KEY_RANDOM_BYTES).toString('base64url')}`;
  return { value, hash: hashApiKey(value) };
}

export const isWellFormedClientSecret = (s: string): boolean => SECRET_SHAPE.test(s);
export const isWellFormedAccessToken = (s: string): boolean => TOKEN_SHAPE.test(s);
export const isWellFormedClientId = (s: string): boolean => CLIENT_ID_SHAPE.test(s);
