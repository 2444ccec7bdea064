/**
 * The kind of key a signing scheme needs. The HMAC schemes share one secret format
 * (`whsec_…`), so an endpoint moves between them keeping its secret; Ed25519 needs a key
 * pair, so moving to or from it takes a new secret (a rotation).
 */
import type { SigningScheme } from '../endpoint';

export type KeyType = 'hmac' | 'ed25519';

export const keyTypeOf = (scheme: SigningScheme): KeyType =>
  scheme === 'standard-webhooks-ed25519' ? 'ed25519' : 'hmac';
