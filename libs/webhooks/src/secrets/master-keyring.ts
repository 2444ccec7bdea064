/**
 * The master keys that seal endpoint secrets. The current `HERALD_MASTER_KEY` seals;
 * it and the retired keys of `HERALD_MASTER_KEY_PREVIOUS` open. Each key is known by a
 * short id (a hash of the key, never the key) stored beside every sealed secret, so the
 * master key can be rotated: set the new key, list the old one as previous, re-seal.
 */
import { createHash, hkdfSync } from 'node:crypto';

export interface MasterKey {
  id: string;
  /** AES-256 key derived from the master key for this purpose only. */
  sealingKey: Buffer;
}

export class UnknownMasterKeyError extends Error {
  constructor(readonly keyId: string) {
    super(
      `secret sealed under master key ${keyId}, which is neither HERALD_MASTER_KEY nor in HERALD_MASTER_KEY_PREVIOUS`,
    );
    this.name = 'UnknownMasterKeyError';
  }
}

export class MasterKeyring {
  private readonly byId = new Map<string, MasterKey>();
  readonly current: MasterKey;

  constructor(current: Buffer, previous: readonly Buffer[] = []) {
    this.current = derive(current);
    this.byId.set(this.current.id, this.current);
    for (const key of previous) {
      const derived = derive(key);
      if (!this.byId.has(derived.id)) this.byId.set(derived.id, derived);
    }
  }

  static fromConfig(masterKey: Buffer | undefined, previous: readonly Buffer[]): MasterKeyring {
    if (!masterKey || masterKey.length !== 32) {
      throw new Error('HERALD_MASTER_KEY (32 bytes) is required to seal webhook signing secrets');
    }
    return new MasterKeyring(masterKey, previous);
  }

  get(id: string): MasterKey {
    const key = this.byId.get(id);
    if (!key) throw new UnknownMasterKeyError(id);
    return key;
  }
}

function derive(master: Buffer): MasterKey {
  const id = createHash('sha256')
    .update('herald/master-key-id/v1\0')
    .update(master)
    .digest('hex')
    .slice(0, 16);
  const sealingKey = Buffer.from(hkdfSync('sha256', master, 'herald', 'herald/webhook-secret/v1', 32));
  return { id, sealingKey };
}
