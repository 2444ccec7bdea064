/**
 * GET /metrics on a process running every role (as `herald dev` does) against the real
 * broker and database: real traffic through the internal API, the translator, the
 * projector, the dispatcher and HTTPS receivers, and reads through the gateway's cache,
 * moves each counter by exactly what was done; the scrape-time gauges (consumer lag,
 * projection lag, breakers, oldest pending delivery) read what the broker and the
 * database hold; the text is checked line by line by a strict parser. And the optional
 * bearer token.
 */
import { Topics } from '@herald/contracts';
import { PROJECTION_NAMES, ProjectorService } from '@herald/events';
import { ReadCache } from '@herald/access';
import {
  createLogger,
  createRolesApp,
  startRoles,
  freePort,
  HeraldConfig,
  HeraldProducer,
  TenantsRepository,
} from '@herald/platform';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DataSource } from 'typeorm';
import { CommandsModule } from '../../apps/commands/src/commands.module';
import { DispatcherModule } from '../../apps/dispatcher/src/dispatcher.module';
import { GatewayModule } from '../../apps/gateway/src/gateway.module';
import { ProjectorModule } from '../../apps/projector/src/projector.module';
import { TranslatorModule } from '../../apps/translator/src/translator.module';
import { internalEvent, postCreatedEvent } from '../fixtures/internal-events';
import { apiRequest, mintTestKey } from '../support/api-keys';
import { postJson, startTestApp, testConfig, TestApp } from '../support/app';
import { eventually, freshDatabase, migratedDataSource, testKafka, uniqueName } from '../support/infra';
import {
  Exposition,
  ExpositionError,
  parseExposition,
  sampleValue,
  samplesOf,
} from '../support/prometheus-text';
import { createTestCa, TestCa } from '../support/tls';
import { startWebhookReceiver, WebhookReceiver } from '../support/webhook-receiver';
import { publicEvent, publish, seedEndpoint, setDeliverySettings } from '../support/webhooks';

const TEXT_FORMAT = 'text/plain; version=0.0.4; charset=utf-8';

async function scrape(baseUrl: string, headers: Record<string, string> = {}): Promise<Exposition> {
  const res = await fetch(`${baseUrl}/metrics`, { headers });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET /metrics answered ${res.status}: ${text}`);
  expect(res.headers.get('content-type')).toBe(TEXT_FORMAT);
  return parseExposition(text);
}

const v = sampleValue;

describe('GET /metrics (every role, real Kafka + Postgres)', () => {
  let ca: TestCa;
  let receiver: WebhookReceiver;
  let app: NestFastifyApplication;
  let ds: DataSource;
  let config: HeraldConfig;
  let baseUrl: string;
  let producer: HeraldProducer;

  beforeAll(async () => {
    ca = createTestCa();
    receiver = await startWebhookReceiver({
      ca,
      behaviour: (req) => ({ status: req.path.startsWith('/ok/') ? 204 : 500 }),
    });
    // A database of its own: no other spec's deliveries are claimed, nor counted, here.
    const url = await freshDatabase();
    ds = await migratedDataSource(url);
    producer = new HeraldProducer(testKafka('metrics'));
    await producer.connect();
    // The public topic holds every earlier spec's events: the projections start at its end.
    const admin = testKafka('metrics-admin').admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(Topics.publicEvents);
    await admin.disconnect();
    for (const name of PROJECTION_NAMES) {
      for (const e of ends) {
        await ds.query(
          `INSERT INTO projection_checkpoints (projection, topic, partition, next_offset, updated_at)
           VALUES ($1, $2, $3, $4, now())`,
          [name, Topics.publicEvents, e.partition, e.high],
        );
      }
    }
    config = testConfig({
      port: await freePort(),
      databaseUrl: url,
      webhookAllowCidrs: ['127.0.0.1/32'],
      webhookCaFile: ca.certFile,
      webhookDelivery: {
        endpointConcurrency: 4,
        backlogBusyPercent: 50,
        breakerResetMs: 30_000,
        // The failing endpoints must keep being attempted, not deferred by an open breaker.
        breakerVolumeThreshold: 1000,
        breakerErrorPercent: 50,
        breakerWindowMs: 60_000,
        pollIntervalMs: 100,
      },
    });
    app = await createRolesApp(
      [CommandsModule, TranslatorModule, ProjectorModule, DispatcherModule, GatewayModule],
      config,
      createLogger({ level: config.logLevel }),
    );
    await startRoles(app);
    await app.listen(config.port, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${config.port}`;
    // Whatever earlier specs left on the internal and public topics is worked off before any count is taken.
    await eventually(
      async () => {
        const m = await scrape(baseUrl);
        const lag = (group: string) => samplesOf(m, 'herald_consumer_lag_messages', { group });
        const groups = ['herald.translator', 'herald.dispatcher'];
        const projections = samplesOf(m, 'herald_projection_lag_messages');
        return (
          groups.every((g) => lag(g).length > 0 && lag(g).every((s) => s.value === 0)) &&
          projections.length === PROJECTION_NAMES.length * ends.length &&
          projections.every((s) => s.value === 0)
        );
      },
      90_000,
      500,
    );
    await eventually(async () => app.get(ReadCache).isTrusted());
  }, 180_000);

  afterAll(async () => {
    await producer?.disconnect();
    await app?.close();
    await ds?.destroy();
    await receiver?.close();
    ca?.dispose();
  });

  it('is well-formed and carries the default process metrics', async () => {
    const m = await scrape(baseUrl);
    expect(m.get('process_cpu_seconds_total')?.type).toBe('counter');
    expect(m.get('process_resident_memory_bytes')?.type).toBe('gauge');
    expect(m.get('nodejs_eventloop_lag_seconds')?.type).toBe('gauge');
    for (const [name, family] of m) {
      if (!name.startsWith('herald_')) continue;
      expect(family.help).toBeTruthy();
      if (family.type === 'counter') expect(name).toMatch(/_total$/);
      // No tenant, endpoint or event id ever becomes a label.
      for (const s of family.samples) {
        for (const label of Object.keys(s.labels)) {
          expect([
            'outcome',
            'status_class',
            'le',
            'group',
            'topic',
            'partition',
            'projection',
            'state',
            'reason',
            'result',
          ]).toContain(label);
        }
      }
    }
  });

  it('counts appended, translated, dropped and dead-lettered events and every delivery outcome', async () => {
    const a = uniqueName('met-a');
    const b = uniqueName('met-b');
    const tenants = new TenantsRepository(ds);
    await tenants.create(a);
    await tenants.create(b);
    // a: two attempts, then dead; b: the second attempt is an hour away, so its delivery stays pending.
    await setDeliverySettings(ds, a, { retryScheduleMs: [0, 50] });
    await setDeliverySettings(ds, b, { retryScheduleMs: [0, 3_600_000] });
    await seedEndpoint(ds, { tenant: a, url: `${receiver.url}/ok/${uniqueName('ep')}` });
    await seedEndpoint(ds, { tenant: a, url: `${receiver.url}/fail/${uniqueName('ep')}` });
    await seedEndpoint(ds, { tenant: b, url: `${receiver.url}/fail/${uniqueName('ep')}` });
    const before = await scrape(baseUrl);
    const started = Date.now();

    // Occurring now: an endpoint receives only what happened after it was registered.
    const now = <T extends object>(e: T) => ({
      ...e,
      occurred_at: new Date().toISOString().replace('Z', '000Z'),
    });
    const res = await postJson(`${baseUrl}/internal/v1/events`, [
      now(postCreatedEvent(a, 1)),
      now(postCreatedEvent(a, 2)),
      now(postCreatedEvent(a, 3)),
      now(internalEvent(a, { kind: 'forum.draft.saved', data: { draft_id: 1, body: 'draft' } })),
      now(postCreatedEvent(b, 1)),
    ]);
    expect(res.status).toBe(202);
    // Not JSON: the translator dead-letters it.
    await producer.send(Topics.internal.forum, [{ key: `${a}:poison`, value: '{not json' }]);

    const delta = (m: Exposition, name: string, labels: Record<string, string> = {}) =>
      v(m, name, labels) - v(before, name, labels);
    const expected: Array<[string, Record<string, string>, number]> = [
      ['herald_events_appended_total', {}, 5],
      ['herald_events_translated_total', {}, 4],
      ['herald_events_dropped_total', { reason: 'internal_only' }, 1],
      ['herald_events_dropped_total', { reason: 'repeat' }, 0],
      ['herald_events_dead_lettered_total', { group: 'herald.translator' }, 1],
      // a/ok: 3 succeeded; a/fail: 3 retrying then 3 dead; b/fail: 1 retrying.
      ['herald_webhook_delivery_outcomes_total', { outcome: 'succeeded' }, 3],
      ['herald_webhook_delivery_outcomes_total', { outcome: 'retrying' }, 4],
      ['herald_webhook_delivery_outcomes_total', { outcome: 'dead' }, 3],
      ['herald_webhook_delivery_outcomes_total', { outcome: 'deferred' }, 0],
      ['herald_webhook_delivery_outcomes_total', { outcome: 'cancelled' }, 0],
      ['herald_webhook_attempt_duration_seconds_count', { status_class: '2xx' }, 3],
      ['herald_webhook_attempt_duration_seconds_count', { status_class: '5xx' }, 7],
      ['herald_webhook_attempt_duration_seconds_count', { status_class: 'network' }, 0],
      ['herald_webhook_attempt_duration_seconds_count', { status_class: 'timeout' }, 0],
    ];
    let after = before;
    const moved = () =>
      expected.map(
        ([name, labels]) =>
          [name, labels, delta(after, name, labels)] as [string, Record<string, string>, number],
      );
    try {
      await eventually(async () => {
        after = await scrape(baseUrl);
        return moved().every(([, , d], i) => d === expected[i]![2]);
      }, 45_000);
    } finally {
      expect(moved()).toEqual(expected);
    }
    expect(receiver.requests).toHaveLength(10);

    // The histogram's time is the attempts' own: the sum lies within the test's span.
    const sum = delta(after, 'herald_webhook_attempt_duration_seconds_sum', { status_class: '5xx' });
    expect(sum).toBeGreaterThan(0);
    expect(sum).toBeLessThan((7 * (Date.now() - started)) / 1000);
    expect(
      v(after, 'herald_webhook_attempt_duration_seconds_bucket', { status_class: '2xx', le: '+Inf' }),
    ).toBe(v(after, 'herald_webhook_attempt_duration_seconds_count', { status_class: '2xx' }));

    // Three endpoints were attempted; none tripped its breaker.
    expect(v(after, 'herald_webhook_breakers', { state: 'closed' })).toBe(3);
    expect(v(after, 'herald_webhook_breakers', { state: 'open' })).toBe(0);
    expect(v(after, 'herald_webhook_breakers', { state: 'half_open' })).toBe(0);

    // b's delivery waits for its second attempt: the oldest pending one, created within this test.
    const [row] = await ds.query(
      `SELECT extract(epoch FROM now() - created_at)::float8 AS age, status FROM webhook_deliveries WHERE tenant = $1`,
      [b],
    );
    expect(row.status).toBe('retrying');
    const age = await eventually(async () => {
      const x = v(await scrape(baseUrl), 'herald_webhook_oldest_pending_delivery_age_seconds');
      return x > 0 ? x : undefined;
    });
    expect(age).toBeLessThanOrEqual((Date.now() - started) / 1000 + 1);
  }, 120_000);

  it('counts read cache hits and misses', async () => {
    const tenant = uniqueName('met-r');
    await new TenantsRepository(ds).create(tenant);
    const key = await mintTestKey(ds, tenant, ['events:read']);
    const before = await scrape(baseUrl);
    const get = () => apiRequest(baseUrl, '/api/v1/events?limit=5', { tenant, key: key.key });
    expect((await get()).status).toBe(200);
    expect((await get()).status).toBe(200);
    const after = await scrape(baseUrl);
    const delta = (result: string) =>
      v(after, 'herald_read_cache_requests_total', { result }) -
      v(before, 'herald_read_cache_requests_total', { result });
    expect({ miss: delta('miss'), hit: delta('hit') }).toEqual({ miss: 1, hit: 1 });
  });

  it('reports consumer and projection lag per partition while the projector is held back', async () => {
    const tenant = uniqueName('met-l');
    await new TenantsRepository(ds).create(tenant);
    const runner = app.get(ProjectorService).runner;
    const lagOf = (m: Exposition) =>
      new Map(
        samplesOf(m, 'herald_consumer_lag_messages', { group: 'herald.projector' }).map((s) => [
          Number(s.labels.partition),
          s.value,
        ]),
      );
    const projectionLag = (m: Exposition, partition: number) =>
      PROJECTION_NAMES.map((projection) =>
        v(m, 'herald_projection_lag_messages', { projection, partition: String(partition) }),
      );
    const partition = await runner.betweenCalls(async () => {
      const before = lagOf(await scrape(baseUrl));
      // One subject, so one partition.
      await publish(producer, tenant, [
        publicEvent('post.created', { post_id: 42 }),
        publicEvent('post.edited', { post_id: 42 }),
      ]);
      // Both gauges are sampled at most every few seconds: wait for the samples taken after the publish.
      const during = await eventually(async () => {
        const m = await scrape(baseUrl);
        const moved = [...lagOf(m)].filter(([p, lag]) => lag !== before.get(p));
        return moved.length === 1 && projectionLag(m, moved[0]![0]).some((lag) => lag > 0)
          ? { m, moved: moved[0]! }
          : undefined;
      });
      const [p, lag] = during.moved;
      expect(lag).toBe((before.get(p) ?? 0) + 2);
      expect(projectionLag(during.m, p)).toEqual([2, 2, 2]);
      return p;
    });
    // Let go, the projector applies both and commits.
    await eventually(async () => {
      const m = await scrape(baseUrl);
      return lagOf(m).get(partition) === 0 && projectionLag(m, partition).every((lag) => lag === 0);
    }, 30_000);
  });
});

describe('GET /metrics with HERALD_METRICS_TOKEN', () => {
  const token = 'metrics-token-'.padEnd(40, 'm');
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp([], { metricsToken: token });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 401 with the error envelope without the token or with another, 200 with it', async () => {
    for (const authorization of [
      undefined,
      `Bearer ${token}x`,
      `Bearer ${token.slice(0, -1)}`,
      `Basic ${token}`,
      token,
    ]) {
      const res = await fetch(`${t.baseUrl}/metrics`, {
        headers: { ...(authorization ? { authorization } : {}), 'x-request-id': 'scrape-1' },
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(await res.json()).toEqual({
        error: { code: 'invalid_metrics_token', message: expect.any(String) },
        meta: { request_id: 'scrape-1' },
      });
    }
    const m = await scrape(t.baseUrl, { authorization: `Bearer ${token}` });
    expect(m.get('process_cpu_seconds_total')?.type).toBe('counter');
    expect(v(m, 'herald_events_appended_total')).toBe(0);
  });

  it('is GET only', async () => {
    const res = await fetch(`${t.baseUrl}/metrics`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(405);
  });
});

describe('the exposition parser', () => {
  const ok = '# HELP a_total A.\n# TYPE a_total counter\na_total{x="1"} 2\n';
  const hist = (b1: number, inf: number, count: number) =>
    `# TYPE h histogram\nh_bucket{le="0.1"} ${b1}\nh_bucket{le="+Inf"} ${inf}\nh_sum 1\nh_count ${count}\n`;

  it('reads samples, labels with escapes, and histograms', () => {
    const m = parseExposition(
      `${ok}# TYPE g gauge\ng{l="a\\"b\\\\c\\nd"} NaN 1700000000000\n${hist(1, 2, 2)}`,
    );
    expect(m.get('g')?.samples[0]).toEqual({
      name: 'g',
      labels: { l: 'a"b\\c\nd' },
      value: NaN,
      timestamp: 1700000000000,
    });
    expect(sampleValue(m, 'h_count')).toBe(2);
  });

  it.each([
    ['a sample before its TYPE', 'a_total 1\n'],
    ['a comment that is not HELP or TYPE', `# hello\n${ok}`],
    ['a bad metric name', '# TYPE 1a counter\n1a 1\n'],
    ['a bad label name', '# TYPE g gauge\ng{1x="a"} 1\n'],
    ['a reserved label name', '# TYPE g gauge\ng{__x="a"} 1\n'],
    ['an unknown escape', '# TYPE g gauge\ng{l="\\t"} 1\n'],
    ['an unterminated label value', '# TYPE g gauge\ng{l="a} 1\n'],
    ['a repeated label', '# TYPE g gauge\ng{l="a",l="b"} 1\n'],
    ['a repeated series', '# TYPE g gauge\ng 1\ng 2\n'],
    ['a bad value', '# TYPE g gauge\ng one\n'],
    ['a negative counter', '# TYPE c_total counter\nc_total -1\n'],
    ['a family split in two', '# TYPE g gauge\ng{a="1"} 1\n# TYPE f gauge\nf 1\ng{a="2"} 1\n'],
    ['TYPE after samples', '# TYPE g gauge\ng 1\n# TYPE g gauge\n'],
    ['a missing final newline', '# TYPE g gauge\ng 1'],
    ['buckets that are not cumulative', hist(3, 2, 2)],
    ['+Inf differing from _count', hist(1, 2, 3)],
    ['no +Inf bucket', '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n'],
  ])('refuses %s', (_what, text) => {
    expect(() => parseExposition(text)).toThrow(Error);
  });

  it('says where the text is wrong', () => {
    expect(() => parseExposition(`${ok}a_total{x="2"} x\n`)).toThrow(ExpositionError);
  });
});
