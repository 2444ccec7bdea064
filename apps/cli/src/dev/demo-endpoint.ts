/**
 * The `dev` tenant's demo endpoint, registered through the handlers the webhook API
 * runs. Idempotent: an endpoint labelled `demo receiver` with the receiver's URL is
 * reused; one left by an earlier start on another port is replaced. Secrets are shown
 * only once, so a reused endpoint gets a fresh one (rotated with no grace) that this
 * start's receiver can check.
 */
import type { INestApplicationContext } from '@nestjs/common';
import type { WebhookEndpointResponseDto } from '@herald/webhooks';
import { CreateEndpointHandler } from '@herald/webhooks/endpoints/create-endpoint/create-endpoint.handler';
import { DeleteEndpointHandler } from '@herald/webhooks/endpoints/delete-endpoint/delete-endpoint.handler';
import { ListEndpointsQuery } from '@herald/webhooks/endpoints/list-endpoints/list-endpoints.query';
import { RotateSecretHandler } from '@herald/webhooks/endpoints/rotate-secret/rotate-secret.handler';
import { UpdateEndpointHandler } from '@herald/webhooks/endpoints/update-endpoint/update-endpoint.handler';
import { RECEIVER_HOST } from './demo-certificates';
import { WEBHOOK_PATH } from './demo-receiver';

export const DEMO_ENDPOINT_LABEL = 'demo receiver';
export const DEMO_ENDPOINT_ACTOR = 'system:herald-dev';

export interface DemoEndpoint {
  id: string;
  /** The signing secret, known to this start only. */
  secret: string;
  outcome: 'created' | 'reused' | 'replaced';
  /** False when someone disabled it by hand: it stays so, and receives nothing. */
  active: boolean;
}

/** URLs only a demo receiver of an earlier start would have had. */
const DEMO_URL = new RegExp(`^https://${RECEIVER_HOST.replace(/\./g, '\\.')}:\\d+${WEBHOOK_PATH}$`);

export async function registerDemoEndpoint(
  app: INestApplicationContext,
  tenant: string,
  url: string,
): Promise<DemoEndpoint> {
  const by = { tenant, actor: DEMO_ENDPOINT_ACTOR };
  const wanted = new URL(url).href;
  const demos = await demoEndpoints(app, tenant);
  const current = demos.find((e) => e.url === wanted);
  const stale = demos.filter((e) => e !== current);
  for (const e of stale) await app.get(DeleteEndpointHandler).execute(by, e.id);

  if (!current) {
    const created = await app.get(CreateEndpointHandler).execute(by, {
      url: wanted,
      label: DEMO_ENDPOINT_LABEL,
      events: ['*'],
    });
    return {
      id: created.id,
      secret: created.secret,
      outcome: stale.length > 0 ? 'replaced' : 'created',
      active: created.active,
    };
  }

  let active = current.active;
  // Switched off by Herald itself (a 410, or too many dead deliveries): a fresh start turns it back on.
  if (!active && current.disabled_reason !== 'manual') {
    active = (await app.get(UpdateEndpointHandler).execute(by, current.id, { active: true })).active;
  }
  const rotated = await app
    .get(RotateSecretHandler)
    .execute(by, current.id, { grace_seconds: 0, signing_scheme: 'mobieus-v1' });
  return { id: current.id, secret: rotated.secret, outcome: 'reused', active };
}

/**
 * When no demo receiver runs, an endpoint pointing at one would only pile up failed
 * deliveries: the endpoints of earlier starts are removed (the next start with the
 * receiver registers a new one). Returns their ids.
 */
export async function removeDemoEndpoints(app: INestApplicationContext, tenant: string): Promise<string[]> {
  const by = { tenant, actor: DEMO_ENDPOINT_ACTOR };
  const demos = await demoEndpoints(app, tenant);
  for (const e of demos) await app.get(DeleteEndpointHandler).execute(by, e.id);
  return demos.map((e) => e.id);
}

/** The endpoints a demo receiver of this or an earlier start was registered as. */
async function demoEndpoints(
  app: INestApplicationContext,
  tenant: string,
): Promise<WebhookEndpointResponseDto[]> {
  const all = await listEndpoints(app, tenant);
  return all.filter((e) => e.label === DEMO_ENDPOINT_LABEL && DEMO_URL.test(e.url));
}

async function listEndpoints(
  app: INestApplicationContext,
  tenant: string,
): Promise<WebhookEndpointResponseDto[]> {
  const query = app.get(ListEndpointsQuery);
  const all: WebhookEndpointResponseDto[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await query.execute(tenant, { limit: 100, cursor });
    all.push(...page.items);
    if (!page.has_more || page.next_cursor === null) return all;
    cursor = page.next_cursor;
  }
}
