/**
 * Rotates an endpoint's signing secret (DESIGN.md §7). The new secret is sealed into the
 * current slot and returned this once. During the grace window the old one is kept,
 * re-sealed for the `previous` slot (the slot is part of what a sealed secret is bound
 * to), until `previous_secret_expires_at`; with no grace it is purged at once. Records
 * `webhook_endpoint.secret_rotated`, never with a secret in it.
 */
import { Injectable } from '@nestjs/common';
import { appendAudit, withTenant } from '@herald/platform';
import { DataSource } from 'typeorm';
import { generateEndpointSecret } from '../../secrets/endpoint-secret';
import { SealedSecret, SecretBox } from '../../secrets/secret-box';
import type { Actor } from '../shared/actor';
import { endpointItemRow, lockEndpoint } from '../shared/endpoint-rows';
import { endpointItem } from '../shared/endpoint.item';
import type { WebhookEndpointWithSecretResponseDto } from '../shared/endpoint.response.dto';
import { keyTypeOf } from '../shared/key-type';
import { DEFAULT_GRACE_SECONDS, RotateSecretRequestDto } from './rotate-secret.request.dto';

@Injectable()
export class RotateSecretHandler {
  constructor(
    private readonly ds: DataSource,
    private readonly box: SecretBox,
  ) {}

  async execute(
    by: Actor,
    id: string,
    req: RotateSecretRequestDto,
  ): Promise<WebhookEndpointWithSecretResponseDto> {
    return withTenant(this.ds, by.tenant, async (em) => {
      const row = await lockEndpoint(em, by.tenant, id);
      const scheme = req.signing_scheme ?? row.signing_scheme;
      const sameKind = keyTypeOf(scheme) === keyTypeOf(row.signing_scheme);
      const grace = sameKind ? (req.grace_seconds ?? DEFAULT_GRACE_SECONDS) : 0;
      const binding = { tenant: by.tenant, endpointId: id };
      let previous: SealedSecret | null = null;
      if (grace > 0) {
        const old = this.box.open(
          { keyId: row.secret_key_id, sealed: row.secret_sealed },
          { ...binding, slot: 'current' },
        );
        previous = this.box.seal(old, { ...binding, slot: 'previous' });
      }
      const secret = generateEndpointSecret(scheme);
      const current = this.box.seal(secret.signing, { ...binding, slot: 'current' });
      await em.query(
        `UPDATE webhook_endpoints
            SET signing_scheme = $3, secret_key_id = $4, secret_sealed = $5,
                previous_secret_key_id = $6, previous_secret_sealed = $7,
                previous_secret_expires_at = CASE WHEN $8::int > 0 THEN now() + make_interval(secs => $8::int) END,
                updated_at = now()
          WHERE tenant = $1 AND id = $2`,
        [
          by.tenant,
          id,
          scheme,
          current.keyId,
          current.sealed,
          previous?.keyId ?? null,
          previous?.sealed ?? null,
          grace,
        ],
      );
      const item = endpointItem(await endpointItemRow(em, by.tenant, id));
      await appendAudit(em, {
        tenant: by.tenant,
        actor: by.actor,
        action: 'webhook_endpoint.secret_rotated',
        targetType: 'webhook_endpoint',
        targetId: id,
        details: {
          grace_seconds: grace,
          previous_secret_expires_at: item.previous_secret_expires_at ?? null,
          signing_scheme: scheme,
          ...(scheme === row.signing_scheme ? {} : { previous_signing_scheme: row.signing_scheme }),
        },
      });
      return { ...item, secret: secret.shown };
    });
  }
}
