/**
 * Seals endpoint signing secrets with AES-256-GCM. The stored form is
 * `iv (12) | tag (16) | ciphertext`, with the master key id kept in its own column.
 * The additional data binds a sealed secret to its tenant and endpoint, so a sealed
 * value copied onto another row does not open.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { MasterKeyring } from './master-keyring';

export interface SealedSecret {
  keyId: string;
  sealed: Buffer;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SecretBox {
  constructor(private readonly keyring: MasterKeyring) {}

  seal(secret: string, binding: SecretBinding): SealedSecret {
    const key = this.keyring.current;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key.sealingKey, iv);
    cipher.setAAD(aad(binding));
    const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return { keyId: key.id, sealed: Buffer.concat([iv, cipher.getAuthTag(), body]) };
  }

  open(secret: SealedSecret, binding: SecretBinding): string {
    const key = this.keyring.get(secret.keyId);
    if (secret.sealed.length < IV_BYTES + TAG_BYTES) throw new Error('sealed secret is truncated');
    const decipher = createDecipheriv('aes-256-gcm', key.sealingKey, secret.sealed.subarray(0, IV_BYTES));
    decipher.setAAD(aad(binding));
    decipher.setAuthTag(secret.sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([
      decipher.update(secret.sealed.subarray(IV_BYTES + TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
  }

  /** True when the secret was sealed under a retired master key and should be re-sealed. */
  isStale(secret: SealedSecret): boolean {
    return secret.keyId !== this.keyring.current.id;
  }
}

/** What a sealed secret belongs to; `slot` tells the current secret from the one kept for a rotation's grace window. */
export interface SecretBinding {
  tenant: string;
  endpointId: string;
  slot: 'current' | 'previous';
}

function aad(b: SecretBinding): Buffer {
  return Buffer.from(`herald/webhook-secret/v1\0${b.tenant}\0${b.endpointId}\0${b.slot}`, 'utf8');
}
