/** Mints API keys straight into the run's database, for tests of routes behind the access guard. */
import type { Scope } from '@herald/contracts';
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { KeyMode, mintApiKey } from '../../libs/access/src/keys/api-key-secret';

export interface TestKey {
  id: string;
  key: string;
  tenant: string;
}

export async function mintTestKey(
  ds: DataSource,
  tenant: string,
  scopes: Scope[],
  opts: { mode?: KeyMode; expiresAt?: Date; ratePerMinute?: number; dailyQuota?: number } = {},
): Promise<TestKey> {
  const minted = mintApiKey(opts.mode ?? 'live');
  const id = `key_test_${randomBytes(8).toString('hex')}`;
  await ds.query(
    `INSERT INTO api_keys (id, tenant, mode, label, prefix, key_hash, scopes, rate_limit_per_minute, daily_quota, expires_at)
     VALUES ($1, $2, $3, 'test', $4, $5, $6, $7, $8, $9)`,
    [
      id,
      tenant,
      minted.mode,
      minted.prefix,
      minted.hash,
      scopes,
      opts.ratePerMinute ?? null,
      opts.dailyQuota ?? null,
      opts.expiresAt ?? null,
    ],
  );
  return { id, key: minted.key, tenant };
}
