/**
 * Registers an endpoint: checks the URL (SSRF guard) and the subscription, mints its
 * signing secret, stores it sealed, and records `webhook_endpoint.created`. The secret is
 * returned this once and never again.
 */
import { Injectable } from '@nestjs/common';
import { appendAudit, withTenant } from '@herald/platform';
import { DataSource } from 'typeorm';
import { monotonicFactory } from 'ulid';
import { generateEndpointSecret } from '../../secrets/endpoint-secret';
import { SecretBox } from '../../secrets/secret-box';
import { SsrfGuard } from '../../ssrf/ssrf-guard';
import { DEFAULT_SIGNING_SCHEME, EndpointFilters } from '../endpoint';
import type { Actor } from '../shared/actor';
import { invalidEndpoint, subscriptionProblems, urlProblems } from '../shared/endpoint-checks';
import { endpointColumns, EndpointItemRow, endpointItem } from '../shared/endpoint.item';
import type { WebhookEndpointWithSecretResponseDto } from '../shared/endpoint.response.dto';
import type { CreateWebhookRequestDto } from './create-endpoint.request.dto';

// Monotonic, so endpoints created in the same millisecond still list in creation order.
const nextUlid = monotonicFactory();

@Injectable()
export class CreateEndpointHandler {
  constructor(
    private readonly ds: DataSource,
    private readonly box: SecretBox,
    private readonly guard: SsrfGuard,
  ) {}

  async execute(by: Actor, req: CreateWebhookRequestDto): Promise<WebhookEndpointWithSecretResponseDto> {
    const filters: EndpointFilters = req.filters ?? {};
    const url = await urlProblems(req.url, this.guard);
    const subscription = subscriptionProblems(req.events, filters);
    const problems = [...url.problems, ...subscription.problems];
    if (problems.length > 0 || url.url === undefined) throw invalidEndpoint(problems);

    const id = `ep_${nextUlid()}`;
    const scheme = req.signing_scheme ?? DEFAULT_SIGNING_SCHEME;
    const active = req.active ?? true;
    const secret = generateEndpointSecret(scheme);
    const sealed = this.box.seal(secret.signing, { tenant: by.tenant, endpointId: id, slot: 'current' });
    return withTenant(this.ds, by.tenant, async (em) => {
      const rows: EndpointItemRow[] = await em.query(
        `INSERT INTO webhook_endpoints AS e (id, tenant, url, label, events, filters, active, signing_scheme,
                                             disabled_reason, secret_key_id, secret_sealed)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10, $11)
         RETURNING ${endpointColumns('e')}`,
        [
          id,
          by.tenant,
          url.url,
          req.label ?? null,
          subscription.events,
          JSON.stringify(filters),
          active,
          scheme,
          active ? null : 'manual',
          sealed.keyId,
          sealed.sealed,
        ],
      );
      const item = endpointItem(rows[0]!);
      await appendAudit(em, {
        tenant: by.tenant,
        actor: by.actor,
        action: 'webhook_endpoint.created',
        targetType: 'webhook_endpoint',
        targetId: id,
        details: {
          url: item.url,
          label: item.label,
          events: item.events,
          filters: item.filters,
          active: item.active,
          signing_scheme: item.signing_scheme,
        },
      });
      return { ...item, secret: secret.shown };
    });
  }
}
