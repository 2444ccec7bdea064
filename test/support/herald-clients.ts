/**
 * A whole Herald in-process for the client specs (ingest → pipeline → API, and webhook
 * deliveries to a local HTTPS receiver), a tenant with a key, and the public API as the
 * client package sees it: base URL on 127.0.0.1, the tenant in the Host header.
 */
import { randomUUID } from 'node:crypto';
import { TenantsRepository } from '@herald/platform';
import { CommandsModule } from '../../apps/commands/src/commands.module';
import { DispatcherModule } from '../../apps/dispatcher/src/dispatcher.module';
import { GatewayModule } from '../../apps/gateway/src/gateway.module';
import { ProjectorModule } from '../../apps/projector/src/projector.module';
import { TranslatorModule } from '../../apps/translator/src/translator.module';
import { HeraldIngestClient } from '../../libs/client/src';
import { apiRequest, mintTestKey, TestKey } from './api-keys';
import { startTestApp, TestApp, TEST_SERVICE_TOKEN } from './app';
import { eventually, uniqueName } from './infra';
import { createTestCa, TestCa } from './tls';
import { startWebhookReceiver, WebhookReceiver } from './webhook-receiver';

export interface ClientsHarness {
  app: TestApp;
  ca: TestCa;
  receiver: WebhookReceiver;
  tenant: string;
  key: TestKey;
  /** `<tenant>.localhost:<port>`: the Host the client must send. */
  host: string;
  port: number;
  ingest: HeraldIngestClient;
  close(): Promise<void>;
}

export async function startClientsHarness(prefix: string): Promise<ClientsHarness> {
  const ca = createTestCa();
  const receiver = await startWebhookReceiver({ ca, behaviour: { status: 200, body: 'ok' } });
  const app = await startTestApp(
    [GatewayModule, CommandsModule, TranslatorModule, ProjectorModule, DispatcherModule],
    {
      webhookAllowCidrs: ['127.0.0.1/32'],
      webhookCaFile: ca.certFile,
    },
  );
  const tenant = uniqueName(prefix);
  await new TenantsRepository(app.ds).create(tenant);
  const key = await mintTestKey(app.ds, tenant, ['events:read', 'webhooks:read', 'webhooks:manage']);
  const port = app.config.port;
  return {
    app,
    ca,
    receiver,
    tenant,
    key,
    host: `${tenant}.localhost:${port}`,
    port,
    ingest: new HeraldIngestClient({ baseUrl: app.baseUrl, serviceToken: TEST_SERVICE_TOKEN }),
    close: async () => {
      await app.close();
      await receiver.close();
      ca.dispose();
    },
  };
}

/** A `forum.post.created` internal event for the tenant. */
export function postEvent(
  tenant: string,
  postId: number,
): {
  id: string;
  tenant: string;
  kind: 'forum.post.created';
  occurred_at: string;
  data: {
    post_id: number;
    thread_id: number;
    forum_slug: string;
    title: string;
    body: string;
    author_id: number;
    author_username: string;
    ip: string;
  };
} {
  return {
    id: randomUUID(),
    tenant,
    kind: 'forum.post.created',
    occurred_at: `2026-05-28T12:00:${String(postId % 60).padStart(2, '0')}.000001Z`,
    data: {
      post_id: postId,
      thread_id: 1,
      forum_slug: 'general',
      title: `post ${postId}`,
      body: 'secret body',
      author_id: 7,
      author_username: 'ada',
      ip: '203.0.113.9',
    },
  };
}

/** Every event id of the tenant's feed, read page by page straight over HTTP. */
export async function feedIds(h: ClientsHarness): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (;;) {
    const q = cursor ? `?limit=100&cursor=${cursor}` : '?limit=100';
    const res = await apiRequest(h.app.baseUrl, `/api/v1/events${q}`, { tenant: h.tenant, key: h.key.key });
    if (res.status !== 200) throw new Error(`GET /api/v1/events answered ${res.status}`);
    ids.push(...(res.body.data as Array<{ id: string }>).map((e) => e.id));
    if (!res.body.meta.has_more) return ids;
    cursor = res.body.meta.next_cursor;
  }
}

/** Waits until the tenant's feed holds `count` events. */
export async function feedReaches(h: ClientsHarness, count: number): Promise<string[]> {
  return eventually(async () => {
    const ids = await feedIds(h);
    return ids.length >= count ? ids : undefined;
  }, 60_000);
}
