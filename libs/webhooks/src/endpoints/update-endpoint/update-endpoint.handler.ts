/**
 * Changes an endpoint. Disabling and enabling are audited as such
 * (`webhook_endpoint.disabled` / `.enabled`); any other change is one
 * `webhook_endpoint.updated` naming the fields that changed. Sending a field with its
 * current value changes nothing and records nothing.
 */
import { Injectable } from '@nestjs/common';
import { appendAudit, FieldProblem, withTenant } from '@herald/platform';
import type { EntityManager } from 'typeorm';
import { DataSource } from 'typeorm';
import { SsrfGuard } from '../../ssrf/ssrf-guard';
import type { EndpointFilters, EndpointRow } from '../endpoint';
import type { Actor } from '../shared/actor';
import { invalidEndpoint, subscriptionProblems, urlProblems } from '../shared/endpoint-checks';
import { endpointItemRow, lockEndpoint } from '../shared/endpoint-rows';
import { endpointItem } from '../shared/endpoint.item';
import type { WebhookEndpointResponseDto } from '../shared/endpoint.response.dto';
import { keyTypeOf } from '../shared/key-type';
import type { UpdateWebhookRequestDto } from './update-endpoint.request.dto';

type Field = 'url' | 'label' | 'events' | 'filters' | 'signing_scheme';

interface Next {
  url: string;
  label: string | null;
  events: string[];
  filters: EndpointFilters;
  signing_scheme: EndpointRow['signing_scheme'];
}

@Injectable()
export class UpdateEndpointHandler {
  constructor(
    private readonly ds: DataSource,
    private readonly guard: SsrfGuard,
  ) {}

  async execute(by: Actor, id: string, req: UpdateWebhookRequestDto): Promise<WebhookEndpointResponseDto> {
    // Resolved before the row is locked: a slow DNS answer must not hold the lock.
    const url = req.url === undefined ? undefined : await urlProblems(req.url, this.guard);
    return withTenant(this.ds, by.tenant, async (em) => {
      const row = await lockEndpoint(em, by.tenant, id);
      const problems: FieldProblem[] = [...(url?.problems ?? [])];
      const next: Next = {
        url: url?.url ?? row.url,
        label: req.label === undefined ? row.label : (req.label ?? null),
        events: req.events ?? row.events,
        filters: req.filters ?? row.filters,
        signing_scheme: req.signing_scheme ?? row.signing_scheme,
      };
      if (req.events !== undefined || req.filters !== undefined) {
        const subscription = subscriptionProblems(next.events, next.filters);
        next.events = subscription.events;
        problems.push(...subscription.problems);
      }
      if (keyTypeOf(next.signing_scheme) !== keyTypeOf(row.signing_scheme)) {
        problems.push({
          field: 'signing_scheme',
          reason:
            `moving from ${row.signing_scheme} to ${next.signing_scheme} needs a new kind of key: ` +
            `use POST /api/v1/webhooks/${id}/rotate-secret with {"signing_scheme": "${next.signing_scheme}"}`,
        });
      }
      if (problems.length > 0) throw invalidEndpoint(problems);

      const changed = changedFields(row, next);
      const toggle = req.active === undefined || req.active === row.active ? undefined : req.active;
      if (changed.length > 0 || toggle !== undefined) await this.apply(em, by, row, next, changed, toggle);
      return endpointItem(await endpointItemRow(em, by.tenant, id));
    });
  }

  private async apply(
    em: EntityManager,
    by: Actor,
    row: EndpointRow,
    next: Next,
    changed: Field[],
    toggle: boolean | undefined,
  ): Promise<void> {
    await em.query(
      `UPDATE webhook_endpoints
          SET url = $3, label = $4, events = $5, filters = $6::jsonb, signing_scheme = $7,
              active = $8, disabled_reason = $9,
              consecutive_dead = CASE WHEN $10::boolean THEN 0 ELSE consecutive_dead END,
              updated_at = now()
        WHERE tenant = $1 AND id = $2`,
      [
        by.tenant,
        row.id,
        next.url,
        next.label,
        next.events,
        JSON.stringify(next.filters),
        next.signing_scheme,
        toggle ?? row.active,
        toggle === undefined ? row.disabled_reason : toggle ? null : 'manual',
        toggle === true,
      ],
    );
    const audit = {
      tenant: by.tenant,
      actor: by.actor,
      targetType: 'webhook_endpoint' as const,
      targetId: row.id,
    };
    if (toggle === false) {
      await appendAudit(em, { ...audit, action: 'webhook_endpoint.disabled', details: { reason: 'manual' } });
    } else if (toggle === true) {
      await appendAudit(em, {
        ...audit,
        action: 'webhook_endpoint.enabled',
        details: { previous_reason: row.disabled_reason, consecutive_dead: row.consecutive_dead },
      });
    }
    if (changed.length > 0) {
      await appendAudit(em, { ...audit, action: 'webhook_endpoint.updated', details: { fields: changed } });
    }
  }
}

function changedFields(row: EndpointRow, next: Next): Field[] {
  const out: Field[] = [];
  if (next.url !== row.url) out.push('url');
  if (next.label !== row.label) out.push('label');
  if (JSON.stringify(next.events) !== JSON.stringify(row.events)) out.push('events');
  if (canonical(next.filters) !== canonical(row.filters)) out.push('filters');
  if (next.signing_scheme !== row.signing_scheme) out.push('signing_scheme');
  return out;
}

/** jsonb keeps its own key order, so filters compare by sorted entries. */
function canonical(filters: EndpointFilters): string {
  return JSON.stringify(Object.entries(filters).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
