/**
 * @herald/receiver in real Express, Fastify and Nest apps on ephemeral ports, with its
 * memory, Postgres (a scratch database of this run) and Redis (a redis-server started
 * here) dedupe stores. Requests are signed by Herald's own signer. Per framework and store:
 * 50 concurrent copies of one delivery run the handler exactly once and nothing is
 * acknowledged before it finished; a handler that throws answers 500 and releases the
 * claim so the retry processes the event; bad or stale signatures never reach the handler.
 */
import { Controller, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import express from 'express';
import Fastify, { FastifyInstance } from 'fastify';
import Redis from 'ioredis';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'pg';
import { ulid } from 'ulid';
import {
  DedupeStore,
  MemoryDedupeStore,
  PostgresDedupeStore,
  RedisDedupeStore,
  ReceiverOptions,
  WebhookEvent,
} from '@herald/receiver';
import { heraldWebhook as expressWebhook } from '@herald/receiver/express';
import { heraldWebhook as fastifyWebhook, rawJsonBody } from '@herald/receiver/fastify';
import { HeraldEvent, HeraldWebhook } from '@herald/receiver/nest';
import { generateEndpointSecret } from '../../libs/webhooks/src/secrets/endpoint-secret';
import { SigningKeys, webhookHeaders } from '../../libs/webhooks/src/signing';
import { eventually, freshDatabase } from '../support/infra';
import { RunningRedis, startRedisServer } from '../support/redis-server';

const FRAMEWORKS = ['express', 'fastify', 'nest'] as const;
const STORES = ['memory', 'postgres', 'redis'] as const;
type Framework = (typeof FRAMEWORKS)[number];
type StoreKind = (typeof STORES)[number];
type Route = `${Framework}/${StoreKind}`;

const secret = generateEndpointSecret('mobieus-v1').signing;

/** What each route's handler saw, and what it does next (default: return at once). */
const calls = new Map<Route, WebhookEvent[]>();
let behaviour: (route: Route, event: WebhookEvent) => Promise<void> = async () => undefined;

async function handle(route: Route, event: WebhookEvent): Promise<void> {
  calls.set(route, [...(calls.get(route) ?? []), event]);
  await behaviour(route, event);
}

const stores = new Map<Route, DedupeStore>();
const optionsOf = (route: Route): ReceiverOptions => ({
  secrets: [secret],
  store: stores.get(route)!,
  retryAfterSeconds: 7,
});

@Controller('hooks')
class NestHooksController {
  @Post('memory')
  @HeraldWebhook(() => optionsOf('nest/memory'))
  memory(@HeraldEvent() event: WebhookEvent) {
    return handle('nest/memory', event);
  }

  @Post('postgres')
  @HeraldWebhook(() => optionsOf('nest/postgres'))
  postgres(@HeraldEvent() event: WebhookEvent) {
    return handle('nest/postgres', event);
  }

  @Post('redis')
  @HeraldWebhook(() => optionsOf('nest/redis'))
  redis(@HeraldEvent() event: WebhookEvent) {
    return handle('nest/redis', event);
  }
}

@Module({ controllers: [NestHooksController] })
class NestHooksModule {}

function listenUrl(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('@herald/receiver in real apps and stores', () => {
  let redis: RunningRedis;
  let redisClient: Redis;
  let pool: Pool;
  let expressServer: Server;
  let fastifyApp: FastifyInstance;
  let nestApp: NestFastifyApplication;
  const urls = {} as Record<Framework, string>;

  beforeAll(async () => {
    redis = await startRedisServer();
    redisClient = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    pool = new Pool({ connectionString: await freshDatabase('herald_test_receiver'), max: 10 });
    const pg = new PostgresDedupeStore(pool);
    await pg.createTable();
    const shared: Record<Exclude<StoreKind, 'memory'>, DedupeStore> = {
      postgres: pg,
      redis: new RedisDedupeStore(redisClient),
    };
    for (const f of FRAMEWORKS) {
      stores.set(`${f}/memory`, new MemoryDedupeStore());
      stores.set(`${f}/postgres`, shared.postgres);
      stores.set(`${f}/redis`, shared.redis);
    }

    const app = express();
    for (const s of STORES) {
      app.post(
        `/hooks/${s}`,
        express.raw({ type: 'application/json' }),
        expressWebhook(optionsOf(`express/${s}`), (event) => handle(`express/${s}`, event)),
      );
    }
    // A JSON parser ahead of the receiver: the body can no longer be verified.
    app.post(
      '/parsed',
      express.json(),
      expressWebhook(optionsOf('express/memory'), () => undefined),
    );
    expressServer = await new Promise<Server>((resolve) => {
      const server = app.listen(0, '127.0.0.1', () => resolve(server));
    });
    urls.express = listenUrl(expressServer);

    fastifyApp = Fastify();
    await fastifyApp.register(async (scope) => {
      rawJsonBody(scope);
      for (const s of STORES) {
        scope.post(
          `/hooks/${s}`,
          fastifyWebhook(optionsOf(`fastify/${s}`), (event) => handle(`fastify/${s}`, event)),
        );
      }
    });
    await fastifyApp.listen({ port: 0, host: '127.0.0.1' });
    urls.fastify = listenUrl(fastifyApp.server);

    nestApp = await NestFactory.create<NestFastifyApplication>(NestHooksModule, new FastifyAdapter(), {
      rawBody: true,
      logger: false,
    });
    await nestApp.listen(0, '127.0.0.1');
    urls.nest = listenUrl(nestApp.getHttpServer());
  });

  afterAll(async () => {
    await nestApp?.close();
    await fastifyApp?.close();
    await new Promise((r) => expressServer?.close(r));
    await pool?.end();
    redisClient?.disconnect();
    await redis?.stop();
  });

  beforeEach(() => {
    behaviour = async () => undefined;
    calls.clear();
  });

  function delivery(opts: { keys?: SigningKeys; timestamp?: number } = {}) {
    const event = {
      id: `evt_${ulid()}`,
      type: 'post.created',
      created_at: new Date().toISOString(),
      data: { post_id: 1, title: 'Grüße ✓' },
    };
    const body = JSON.stringify(event);
    const headers = webhookHeaders('mobieus-v1', opts.keys ?? { current: secret }, {
      eventId: event.id,
      eventType: event.type,
      deliveryId: `dlv_${ulid()}`,
      body,
      timestamp: opts.timestamp ?? Math.floor(Date.now() / 1000),
    });
    return { event, body, headers };
  }

  async function post(url: string, d: { body: string; headers: Record<string, string> }) {
    const res = await fetch(url, { method: 'POST', headers: d.headers, body: d.body });
    return {
      status: res.status,
      retryAfter: res.headers.get('retry-after'),
      body: ((text) => (text === '' ? undefined : JSON.parse(text)))(await res.text()) as unknown,
    };
  }

  const ROUTES = FRAMEWORKS.flatMap((f) => STORES.map((s) => [f, s] as const));

  it.each(ROUTES)(
    '%s with the %s store: 50 concurrent copies run the handler once',
    async (framework, store) => {
      const route: Route = `${framework}/${store}`;
      const d = delivery();
      const url = `${urls[framework]}/hooks/${store}`;
      let answered = 0;
      let open!: () => void;
      const gate = new Promise<void>((resolve) => (open = resolve));
      // The handler holds its claim until every other copy has its answer (or, were the
      // claim broken, is itself inside the handler): the copies meet the claim in progress.
      behaviour = async () => {
        if (answered + (calls.get(route)?.length ?? 0) >= 50) open();
        await gate;
      };
      const results = await Promise.all(
        Array.from({ length: 50 }, async () => {
          const r = await post(url, d);
          answered += 1;
          if (answered + (calls.get(route)?.length ?? 0) >= 50) open();
          return r;
        }),
      );
      expect(calls.get(route)?.map((e) => e.id)).toEqual([d.event.id]);
      expect(calls.get(route)?.[0]).toEqual(d.event);
      const statuses = results.map((r) => r.status).sort();
      expect(statuses.filter((s) => s === 200)).toHaveLength(1);
      expect(statuses.filter((s) => s === 503)).toHaveLength(49);
      expect(results.filter((r) => r.status === 503).every((r) => r.retryAfter === '7')).toBe(true);

      // Once done, a redelivery is acknowledged without running the handler again.
      const again = await post(url, d);
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ received: true, duplicate: true });
      expect(calls.get(route)).toHaveLength(1);
    },
  );

  it.each(ROUTES)(
    '%s with the %s store: a throwing handler answers 500 and the retry processes',
    async (framework, store) => {
      const route: Route = `${framework}/${store}`;
      const d = delivery();
      const url = `${urls[framework]}/hooks/${store}`;
      behaviour = async () => {
        if (calls.get(route)!.length === 1) throw new Error('downstream unavailable');
      };
      expect((await post(url, d)).status).toBe(500);
      expect((await post(url, d)).status).toBe(200);
      expect((await post(url, d)).body).toMatchObject({ duplicate: true });
      expect(calls.get(route)?.map((e) => e.id)).toEqual([d.event.id, d.event.id]);
    },
  );

  it.each(FRAMEWORKS)(
    '%s: refuses bad signatures with 401 and bad timestamps with 400, never calling the handler',
    async (framework) => {
      const url = `${urls[framework]}/hooks/memory`;
      const now = Math.floor(Date.now() / 1000);
      const good = delivery();
      const tampered = { ...good, body: good.body.replace('✓', '✔') };
      const wrongKey = delivery({ keys: { current: generateEndpointSecret('mobieus-v1').signing } });
      const stale = delivery({ timestamp: now - 301 - 5 });
      const future = delivery({ timestamp: now + 301 + 5 });
      const sig = good.headers['Mobieus-Signature']!;
      const noTimestamp = {
        ...good,
        headers: { ...good.headers, 'Mobieus-Signature': sig.replace(/^t=\d+,/, '') },
      };
      const unsigned = { ...good, headers: { 'content-type': 'application/json' } };

      const answers = {
        tampered: await post(url, tampered),
        wrongKey: await post(url, wrongKey),
        unsigned: await post(url, unsigned),
        stale: await post(url, stale),
        future: await post(url, future),
        noTimestamp: await post(url, noTimestamp),
      };
      const codeOf = (r: { body: unknown }) =>
        (r.body as { error?: { code?: string } }).error?.code ??
        (r.body as { message?: { error?: { code?: string } } }).message?.error?.code;
      expect(Object.fromEntries(Object.entries(answers).map(([k, r]) => [k, [r.status, codeOf(r)]]))).toEqual(
        {
          tampered: [401, 'bad_signature'],
          wrongKey: [401, 'bad_signature'],
          unsigned: [401, 'missing_signature'],
          stale: [400, 'stale_timestamp'],
          future: [400, 'stale_timestamp'],
          noTimestamp: [400, 'missing_timestamp'],
        },
      );
      expect(calls.size).toBe(0);
    },
  );

  it.each(FRAMEWORKS)(
    '%s: during a rotation a receiver holding only the old secret accepts v1_prev',
    async (framework) => {
      const route: Route = `${framework}/memory`;
      const rotated = delivery({
        keys: { current: generateEndpointSecret('mobieus-v1').signing, previous: secret },
      });
      expect(rotated.headers['Mobieus-Signature']).toContain(',v1_prev=');
      expect((await post(`${urls[framework]}/hooks/memory`, rotated)).status).toBe(200);
      expect(calls.get(route)?.map((e) => e.id)).toEqual([rotated.event.id]);
      // After the grace window (new key only) the same receiver refuses.
      const after = delivery({ keys: { current: generateEndpointSecret('mobieus-v1').signing } });
      expect((await post(`${urls[framework]}/hooks/memory`, after)).status).toBe(401);
    },
  );

  it('express: a body parsed before the receiver is a 500 that says how to fix it, not a 401', async () => {
    const res = await post(`${urls.express}/parsed`, delivery());
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({ error: { code: 'receiver_misconfigured' } });
    expect(JSON.stringify(res.body)).toContain('express.raw');
  });

  it.each(['postgres', 'redis'] as const)(
    'the %s store: a claim neither completed nor released lapses after its ttl',
    async (kind) => {
      const store = stores.get(`express/${kind}`)!;
      const id = `evt_${ulid()}`;
      expect(await store.claim(id, 300)).toBe('claimed');
      expect(await store.claim(id, 300)).toBe('in_progress');
      await eventually(async () => (await store.claim(id, 60_000)) === 'claimed', 5_000, 50);
      await store.complete(id);
      expect(await store.claim(id, 60_000)).toBe('duplicate');
      const released = `evt_${ulid()}`;
      expect(await store.claim(released, 60_000)).toBe('claimed');
      await store.release(released);
      expect(await store.claim(released, 60_000)).toBe('claimed');
    },
  );
});
