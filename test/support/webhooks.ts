/**
 * Webhook fixtures for tests of the dispatcher and the delivery workers: endpoints stored
 * as the management API stores them (secret sealed under the test master key), per-tenant
 * delivery settings, deliveries written as the dispatcher writes them, and public events
 * published straight onto the public topic.
 */
import { checkPublicEvent, newUlid, Topics } from '@herald/contracts';
import { HeraldProducer, PublicHeaders } from '@herald/platform';
import { randomBytes } from 'node:crypto';
import { ulid } from 'ulid';
import type { DataSource } from 'typeorm';
import type { DeliveryStore } from '../../libs/webhooks/src/delivery/delivery-store';
import type { SigningScheme } from '../../libs/webhooks/src/endpoints/endpoint';
import { generateEndpointSecret } from '../../libs/webhooks/src/secrets/endpoint-secret';
import { MasterKeyring } from '../../libs/webhooks/src/secrets/master-keyring';
import { SecretBox } from '../../libs/webhooks/src/secrets/secret-box';
import { testConfig } from './app';

export function testSecretBox(): SecretBox {
  const config = testConfig();
  return new SecretBox(MasterKeyring.fromConfig(config.masterKey, config.previousMasterKeys));
}

export interface SeededEndpoint {
  id: string;
  tenant: string;
  url: string;
  /** What the integrator was shown (for the HMAC schemes also the signing key). */
  secret: string;
}

export async function seedEndpoint(
  ds: DataSource,
  opts: {
    tenant: string;
    url: string;
    events?: string[];
    filters?: Record<string, unknown>;
    scheme?: SigningScheme;
    active?: boolean;
    previousSecret?: { secret: string; expiresAt: Date };
    createdAt?: Date;
  },
): Promise<SeededEndpoint> {
  const box = testSecretBox();
  const id = `ep_${ulid()}`;
  const scheme = opts.scheme ?? 'mobieus-v1';
  const secret = generateEndpointSecret(scheme);
  const sealed = box.seal(secret.signing, { tenant: opts.tenant, endpointId: id, slot: 'current' });
  const prev = opts.previousSecret
    ? box.seal(opts.previousSecret.secret, { tenant: opts.tenant, endpointId: id, slot: 'previous' })
    : null;
  await ds.query(
    `INSERT INTO webhook_endpoints (id, tenant, url, label, events, filters, active, signing_scheme,
                                    secret_key_id, secret_sealed, previous_secret_key_id, previous_secret_sealed,
                                    previous_secret_expires_at, created_at, updated_at)
     VALUES ($1, $2, $3, 'test', $4, $5::jsonb, $6, $7, $8, $9, $10, $11, $12, $13, $13)`,
    [
      id,
      opts.tenant,
      opts.url,
      opts.events ?? ['*'],
      JSON.stringify(opts.filters ?? {}),
      opts.active ?? true,
      scheme,
      sealed.keyId,
      sealed.sealed,
      prev?.keyId ?? null,
      prev?.sealed ?? null,
      opts.previousSecret?.expiresAt ?? null,
      opts.createdAt ?? new Date(Date.now() - 60_000),
    ],
  );
  return { id, tenant: opts.tenant, url: opts.url, secret: secret.shown };
}

/** `n` unleased deliveries of new `post.created` events to the endpoint, due now, in order. */
export async function createDeliveries(
  store: DeliveryStore,
  tenant: string,
  endpointId: string,
  n: number,
): Promise<Array<{ id: string; eventId: string }>> {
  const made = Array.from({ length: n }, () => ({ id: `dlv_${newUlid()}`, eventId: `evt_${ulid()}` }));
  await store.createDeliveries(
    'creator',
    made.map(({ eventId }) => ({
      tenant,
      eventId,
      eventType: 'post.created',
      payload: `{"id":"${eventId}"}`,
    })),
    made.map(({ id, eventId }) => ({
      id,
      tenant,
      endpointId,
      eventId,
      eventType: 'post.created',
      maxAttempts: 3,
      leaseMs: null,
    })),
  );
  return made;
}

export async function setDeliverySettings(
  ds: DataSource,
  tenant: string,
  s: { retryScheduleMs?: number[]; attemptTimeoutMs?: number; autoDisableThreshold?: number },
): Promise<void> {
  await ds.query(
    `INSERT INTO tenant_settings (tenant, retry_schedule_ms, attempt_timeout_ms, auto_disable_threshold)
     VALUES ($1, $2, COALESCE($3, 10000), COALESCE($4, 20))
     ON CONFLICT (tenant) DO UPDATE SET retry_schedule_ms = EXCLUDED.retry_schedule_ms,
       attempt_timeout_ms = EXCLUDED.attempt_timeout_ms, auto_disable_threshold = EXCLUDED.auto_disable_threshold`,
    [tenant, s.retryScheduleMs ?? null, s.attemptTimeoutMs ?? null, s.autoDisableThreshold ?? null],
  );
}

export interface TestPublicEvent {
  id: string;
  type: string;
  created_at: string;
  data: Record<string, unknown>;
}

let nextSubject = 1;

/** Valid `data` of the public types the webhook tests use; each call a new subject. */
function defaultData(type: string): Record<string, unknown> {
  const id = nextSubject++;
  switch (type) {
    case 'post.created':
      return {
        post_id: id,
        thread_id: 1,
        forum_slug: 'general',
        title: `Post ${id}`,
        author: { id: 1, username: 'ada' },
      };
    case 'post.edited':
      return { post_id: id, thread_id: 1, forum_slug: 'general', title: `Post ${id}`, editor: { id: 1 } };
    case 'user.joined':
      return { user: { id, username: `user${id}` } };
    case 'webhook.test':
      return { endpoint_id: 'ep_unknown', message: 'test' };
    default:
      throw new Error(`no test data for ${type}`);
  }
}

/**
 * A public event as the translator would publish it (ids unique per call). It must pass
 * its public schema: the projector shares the topic and takes what is on it as valid.
 */
export function publicEvent(type: string, data: Record<string, unknown> = {}): TestPublicEvent {
  const iso = new Date().toISOString().replace('Z', '000Z');
  const event = { id: `evt_${ulid()}`, type, created_at: iso, data: { ...defaultData(type), ...data } };
  const problem = checkPublicEvent(event);
  if (problem) throw new Error(`test event ${type} is not a valid public event: ${problem}`);
  return event;
}

/** Like `publicEvent`, created at `at` (the fact may have occurred well before it is published). */
export function publicEventAt(type: string, at: Date, data: Record<string, unknown> = {}): TestPublicEvent {
  return { ...publicEvent(type, data), created_at: at.toISOString().replace('Z', '000Z') };
}

export async function publish(
  producer: HeraldProducer,
  tenant: string,
  events: TestPublicEvent[],
): Promise<void> {
  await producer.send(
    Topics.publicEvents,
    events.map((e) => ({
      key: `${tenant}:${subjectOf(e)}`,
      value: JSON.stringify(e),
      headers: { [PublicHeaders.tenant]: tenant },
    })),
  );
}

function subjectOf(e: TestPublicEvent): string {
  const user = e.data.user as { id?: unknown } | undefined;
  const id = e.data.post_id ?? user?.id ?? e.data.endpoint_id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : randomBytes(4).toString('hex');
}
