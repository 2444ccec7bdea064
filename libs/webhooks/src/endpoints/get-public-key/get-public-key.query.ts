/**
 * `GET /api/v1/webhooks/{id}/public-key`: the Ed25519 public key(s) of a
 * `standard-webhooks-ed25519` endpoint, derived from its sealed signing key, so a receiver
 * can fetch what verifies it at any time rather than only from the create or rotate answer.
 */
import { Injectable } from '@nestjs/common';
import { createHash, createPublicKey } from 'node:crypto';
import { DataSource } from 'typeorm';
import { readAsTenant } from '@herald/platform';
import { SecretBox } from '../../secrets/secret-box';
import { ed25519PrivateKey } from '../../signing';
import { ENDPOINT_NOT_FOUND, NO_PUBLIC_KEY } from '../../webhook-errors';
import type { SigningScheme } from '../endpoint';
import { publicTime } from '../shared/public-time';
import type { WebhookPublicKeyResponseDto } from './get-public-key.response.dto';

interface KeyRow {
  signing_scheme: SigningScheme;
  secret_key_id: string;
  secret_sealed: Buffer;
  previous_secret_key_id: string | null;
  previous_secret_sealed: Buffer | null;
  previous_secret_expires_at: string | null;
}

@Injectable()
export class GetPublicKeyQuery {
  constructor(
    private readonly ds: DataSource,
    private readonly box: SecretBox,
  ) {}

  async execute(tenant: string, id: string): Promise<WebhookPublicKeyResponseDto> {
    const [row] = await readAsTenant<KeyRow>(
      this.ds,
      tenant,
      `SELECT signing_scheme, secret_key_id, secret_sealed,
              previous_secret_key_id, previous_secret_sealed,
              CASE WHEN previous_secret_expires_at > now()
                   THEN ${publicTime('previous_secret_expires_at')} END AS previous_secret_expires_at
         FROM webhook_endpoints WHERE tenant = $1 AND id = $2`,
      [tenant, id],
    );
    if (!row) throw ENDPOINT_NOT_FOUND.error(`no webhook endpoint ${id}`);
    if (row.signing_scheme !== 'standard-webhooks-ed25519') {
      throw NO_PUBLIC_KEY.error(`endpoint ${id} signs with ${row.signing_scheme}, which has no public key`);
    }
    const binding = { tenant, endpointId: id };
    const current = publicKeyOf(
      this.box.open({ keyId: row.secret_key_id, sealed: row.secret_sealed }, { ...binding, slot: 'current' }),
    );
    const answer: WebhookPublicKeyResponseDto = {
      endpoint_id: id,
      signing_scheme: row.signing_scheme,
      public_key: current,
      key_id: keyId(current),
    };
    // A previous key of an HMAC scheme (after a scheme change) is never kept: rotation across
    // key types has no grace window. Only an Ed25519 previous key is shown.
    if (row.previous_secret_expires_at && row.previous_secret_key_id && row.previous_secret_sealed) {
      const previous = this.box.open(
        { keyId: row.previous_secret_key_id, sealed: row.previous_secret_sealed },
        { ...binding, slot: 'previous' },
      );
      if (previous.startsWith('whsk_')) {
        answer.previous_public_key = publicKeyOf(previous);
        answer.previous_public_key_expires_at = row.previous_secret_expires_at;
      }
    }
    return answer;
  }
}

/** `whsk_<seed>` → `whpk_<raw public key>`. */
function publicKeyOf(signingKey: string): string {
  const der = createPublicKey(ed25519PrivateKey(signingKey)).export({ format: 'der', type: 'spki' });
  return `whpk_${der.subarray(-32).toString('base64')}`;
}

function keyId(publicKey: string): string {
  const raw = Buffer.from(publicKey.slice('whpk_'.length), 'base64');
  return createHash('sha256').update(raw).digest('hex').slice(0, 16);
}
