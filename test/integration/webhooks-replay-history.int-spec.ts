/**
 * `herald replay deliveries` (DESIGN.md §8) as an operator runs it, the real binary against
 * the real broker and Postgres, with the dispatcher and delivery workers running and a real
 * HTTPS receiver: the events of the window that the endpoint subscribes to reach it again,
 * whether they were delivered before or never (published while it was disabled, or before
 * it existed); nothing else does; counts with --json; one delivery per (event, endpoint)
 * however often it runs; every refusal is one line on stderr; no consumer group is left.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HeraldProducer, TenantsRepository } from '@herald/platform';
import { DispatcherModule } from '../../apps/dispatcher/src/dispatcher.module';
import { startTestApp, testConfig, TestApp } from '../support/app';
import { buildIfStale } from '../support/dispatcher-process';
import { cleanEnv, runHeraldAsync } from '../support/herald-process';
import { eventually, testDatabaseUrl, testKafka, testKafkaBrokers, uniqueName } from '../support/infra';
import { createTestCa, TestCa } from '../support/tls';
import { startWebhookReceiver, verifyMobieusSignature, WebhookReceiver } from '../support/webhook-receiver';
import {
  publicEvent,
  publicEventAt,
  publish,
  seedEndpoint,
  SeededEndpoint,
  TestPublicEvent,
} from '../support/webhooks';

const GROUP_PREFIX = 'herald.replay-deliveries.';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The public form of a time: UTC, six fractional digits. */
const publicTime = (d: Date) => d.toISOString().replace('Z', '000Z');

interface DeliveryRow {
  event_id: string;
  status: string;
  attempt_count: number;
  max_attempts: number;
}

describe('herald replay deliveries', () => {
  let ca: TestCa;
  let receiver: WebhookReceiver;
  let t: TestApp;
  let producer: HeraldProducer;
  let env: NodeJS.ProcessEnv;
  let dataDir: string;

  const a = uniqueName('whr-a');
  const b = uniqueName('whr-b');
  /** The endpoint replayed to: post.* in forum "general". */
  let target: SeededEndpoint;
  /** Another endpoint of the tenant; its deliveries show the dispatcher has read an event. */
  let witness: SeededEndpoint;
  let foreign: SeededEndpoint;
  let from: Date;
  let to: Date;
  const ev = {} as Record<
    | 'beforeWindow'
    | 'beforeEndpoint'
    | 'sent1'
    | 'sent2'
    | 'otherType'
    | 'filteredOut'
    | 'test'
    | 'foreign'
    | 'whileDisabled'
    | 'marker'
    | 'afterWindow',
    TestPublicEvent
  >;

  const replay = (args: string[]) => runHeraldAsync(['replay', 'deliveries', ...args], env, 90_000);
  const windowArgs = (ep: SeededEndpoint, tenant = a) => [
    '--tenant',
    tenant,
    '--endpoint',
    ep.id,
    '--from-time',
    from.toISOString(),
    '--to-time',
    to.toISOString(),
  ];
  const requestsOf = (ep: SeededEndpoint) => receiver.requests.filter((r) => ep.url.endsWith(r.path));
  /** How often each event reached the endpoint. */
  const sentCounts = (ep: SeededEndpoint): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const r of requestsOf(ep)) {
      const id = String(r.headers['mobieus-event-id']);
      out[id] = (out[id] ?? 0) + 1;
    }
    return out;
  };
  const deliveriesOf = (ep: SeededEndpoint): Promise<DeliveryRow[]> =>
    t.ds.query(
      `SELECT event_id, status, attempt_count, max_attempts FROM webhook_deliveries
        WHERE endpoint_id = $1 ORDER BY event_id`,
      [ep.id],
    );
  /** Resolves once `ep` has `count` deliveries, none of them still to be attempted. */
  const settled = (ep: SeededEndpoint, count: number) =>
    eventually(async () => {
      const rows = await deliveriesOf(ep);
      return rows.length === count && rows.every((r) => r.status === 'succeeded') ? rows : undefined;
    }, 45_000);
  const deliveryOf = async (ep: SeededEndpoint, e: TestPublicEvent) =>
    (await deliveriesOf(ep)).find((d) => d.event_id === e.id);

  beforeAll(async () => {
    // Every run below goes through bin/herald.js: build dist/ once, up front.
    buildIfStale();
    ca = createTestCa();
    receiver = await startWebhookReceiver({ ca, behaviour: { status: 204 } });
    t = await startTestApp([DispatcherModule], {
      webhookAllowCidrs: ['127.0.0.1/32'],
      webhookCaFile: ca.certFile,
      webhookDelivery: { ...testConfig().webhookDelivery, pollIntervalMs: 200 },
    });
    producer = new HeraldProducer(testKafka('webhooks-replay-history'));
    await producer.connect();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-replay-history-'));
    env = cleanEnv({
      DATABASE_URL: testDatabaseUrl(),
      KAFKA_BROKERS: testKafkaBrokers().join(','),
      HERALD_DATA_DIR: dataDir,
    });

    const tenants = new TenantsRepository(t.ds);
    await tenants.create(a);
    await tenants.create(b);
    const now = Date.now();
    from = new Date(now - 10_000);
    const hook = (name: string) => `${receiver.url}/hooks/${uniqueName(name)}`;
    // Created inside the window: the dispatcher never sends it what was created before.
    target = await seedEndpoint(t.ds, {
      tenant: a,
      url: hook('target'),
      events: ['post.*'],
      filters: { 'data.forum_slug': 'general' },
      createdAt: new Date(now - 5_000),
    });
    witness = await seedEndpoint(t.ds, {
      tenant: a,
      url: hook('witness'),
      events: ['post.created', 'user.joined'],
      createdAt: new Date(now - 60_000),
    });
    foreign = await seedEndpoint(t.ds, { tenant: b, url: hook('foreign'), events: ['*'] });

    ev.beforeWindow = publicEventAt('post.created', new Date(from.getTime() - 10_000));
    ev.beforeEndpoint = publicEventAt('post.created', new Date(from.getTime() + 2_000));
    ev.sent1 = publicEvent('post.created');
    ev.sent2 = publicEvent('post.created');
    ev.otherType = publicEvent('user.joined');
    ev.filteredOut = publicEvent('post.created', { forum_slug: 'other' });
    ev.test = publicEvent('webhook.test', { endpoint_id: target.id, message: 'ping' });
    ev.foreign = publicEvent('post.created');
    await publish(producer, a, [
      ev.beforeWindow,
      ev.beforeEndpoint,
      ev.sent1,
      ev.sent2,
      ev.otherType,
      ev.filteredOut,
      ev.test,
    ]);
    await publish(producer, b, [ev.foreign]);
    await settled(target, 3); // sent1, sent2, test
    await settled(witness, 6); // all but test
    await settled(foreign, 1);

    // Published while the target is disabled: post.edited reaches no endpoint at all (no
    // message is stored), the marker only the witness. Same subject, so the same partition:
    // once the marker is in, the dispatcher has read the other one too.
    await t.ds.query(
      `UPDATE webhook_endpoints SET active = false, disabled_reason = 'manual' WHERE id = $1`,
      [target.id],
    );
    ev.whileDisabled = publicEvent('post.edited', { post_id: 900_001 });
    ev.marker = publicEvent('post.created', { post_id: 900_001 });
    await publish(producer, a, [ev.whileDisabled, ev.marker]);
    await settled(witness, 7);
    await t.ds.query(`UPDATE webhook_endpoints SET active = true, disabled_reason = NULL WHERE id = $1`, [
      target.id,
    ]);

    await sleep(5);
    to = new Date();
    await sleep(5);
    ev.afterWindow = publicEvent('post.created');
    await publish(producer, a, [ev.afterWindow]);
    await settled(target, 4);
    await settled(witness, 8);
  }, 300_000);

  afterAll(async () => {
    await producer?.disconnect();
    await t?.close();
    await receiver?.close();
    ca?.dispose();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('sends the window again to the endpoint, old deliveries and missing ones alike, and nothing else', async () => {
    // Before: the ones published while disabled or before the endpoint existed never reached it.
    expect(sentCounts(target)).toEqual({
      [ev.sent1.id]: 1,
      [ev.sent2.id]: 1,
      [ev.test.id]: 1,
      [ev.afterWindow.id]: 1,
    });
    const noMessage = await t.ds.query(`SELECT 1 FROM webhook_messages WHERE tenant = $1 AND event_id = $2`, [
      a,
      ev.whileDisabled.id,
    ]);
    expect(noMessage).toEqual([]);
    const witnessBefore = sentCounts(witness);
    const foreignBefore = sentCounts(foreign);

    const res = await replay([...windowArgs(target), '--json']);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    const out = JSON.parse(res.stdout);
    expect(Object.keys(out)).toEqual([
      'tenant',
      'endpoint',
      'from',
      'to',
      'scanned',
      'matched',
      'created',
      'reset',
    ]);
    expect(out).toMatchObject({
      tenant: a,
      endpoint: target.id,
      from: publicTime(from),
      to: publicTime(to),
      matched: 5,
      created: 3,
      reset: 2,
    });
    // Every record of the log around the window is read, other tenants' and other tests' too.
    expect(out.scanned).toBeGreaterThanOrEqual(11);

    const expected = {
      [ev.sent1.id]: 2,
      [ev.sent2.id]: 2,
      [ev.test.id]: 1,
      [ev.afterWindow.id]: 1,
      [ev.beforeEndpoint.id]: 1,
      [ev.whileDisabled.id]: 1,
      [ev.marker.id]: 1,
    };
    await eventually(async () => requestsOf(target).length >= 9, 30_000);
    await settled(target, 7);
    await sleep(1_000); // anything sent that should not have been has arrived by now
    expect(sentCounts(target)).toEqual(expected);
    expect(sentCounts(witness)).toEqual(witnessBefore);
    expect(sentCounts(foreign)).toEqual(foreignBefore);

    // Sent as the dispatcher sends: the record value byte for byte, signed with the endpoint's secret.
    const fresh = requestsOf(target).find((r) => r.headers['mobieus-event-id'] === ev.whileDisabled.id)!;
    expect(fresh.body).toBe(JSON.stringify(ev.whileDisabled));
    expect(verifyMobieusSignature(target.secret, fresh.headers['mobieus-signature'], fresh.rawBody)).toEqual({
      valid: true,
      matched: 'v1',
    });
    const [message] = await t.ds.query(
      `SELECT event_type, payload FROM webhook_messages WHERE tenant = $1 AND event_id = $2`,
      [a, ev.whileDisabled.id],
    );
    expect(message).toEqual({ event_type: 'post.edited', payload: JSON.stringify(ev.whileDisabled) });
    const again = requestsOf(target).filter((r) => r.headers['mobieus-event-id'] === ev.sent1.id);
    expect(again[1]!.body).toBe(JSON.stringify(ev.sent1));
    expect(again[1]!.headers['mobieus-delivery-id']).toBe(again[0]!.headers['mobieus-delivery-id']);

    // A replayed delivery got a fresh run of attempts (the default schedule's 7) on top of its one;
    // a created one is a first run.
    expect(await deliveryOf(target, ev.sent1)).toMatchObject({
      status: 'succeeded',
      attempt_count: 2,
      max_attempts: 8,
    });
    expect(await deliveryOf(target, ev.whileDisabled)).toMatchObject({
      status: 'succeeded',
      attempt_count: 1,
      max_attempts: 7,
    });
    expect(await deliveryOf(target, ev.afterWindow)).toMatchObject({ attempt_count: 1, max_attempts: 7 });
    expect(await deliveryOf(target, ev.test)).toMatchObject({ attempt_count: 1, max_attempts: 7 });
  });

  it('run again, it sends the same events once more and creates no second delivery', async () => {
    const res = await replay(windowArgs(target));
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout).toBe(
      `replayed 5 events to endpoint ${target.id} of tenant ${a} (0 new deliveries, 5 re-sent) ` +
        `from ${publicTime(from)} to ${publicTime(to)}\n`,
    );
    await eventually(async () => requestsOf(target).length >= 14, 30_000);
    await settled(target, 7);
    await sleep(1_000);
    expect(sentCounts(target)).toEqual({
      [ev.sent1.id]: 3,
      [ev.sent2.id]: 3,
      [ev.test.id]: 1,
      [ev.afterWindow.id]: 1,
      [ev.beforeEndpoint.id]: 2,
      [ev.whileDisabled.id]: 2,
      [ev.marker.id]: 2,
    });
    const duplicates = await t.ds.query(
      `SELECT event_id, count(*) FROM webhook_deliveries WHERE endpoint_id = $1
        GROUP BY event_id HAVING count(*) > 1`,
      [target.id],
    );
    expect(duplicates).toEqual([]);
    const deliveries = await deliveriesOf(target);
    expect(deliveries.map((d) => d.event_id).sort()).toEqual(
      [ev.sent1, ev.sent2, ev.test, ev.afterWindow, ev.beforeEndpoint, ev.whileDisabled, ev.marker]
        .map((e) => e.id)
        .sort(),
    );
    expect(new Set(requestsOf(target).map((r) => r.headers['mobieus-delivery-id'])).size).toBe(7);
  });

  it('without --to-time, replays up to the end of the log as the command found it', async () => {
    const c = uniqueName('whr-c');
    await new TenantsRepository(t.ds).create(c);
    const ep = await seedEndpoint(t.ds, { tenant: c, url: `${receiver.url}/hooks/${uniqueName('c')}` });
    const since = new Date(Date.now() - 1_000);
    const event = publicEvent('user.joined');
    await publish(producer, c, [event]);
    await settled(ep, 1);
    const started = Date.now();
    const res = await replay([
      '--tenant',
      c,
      '--endpoint',
      ep.id,
      '--from-time',
      since.toISOString(),
      '--json',
    ]);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    const out = JSON.parse(res.stdout);
    expect(out).toMatchObject({ tenant: c, from: publicTime(since), matched: 1, created: 0, reset: 1 });
    expect(out.to).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
    const toMs = Date.parse(`${out.to.slice(0, 23)}Z`);
    expect(toMs).toBeGreaterThanOrEqual(started - 1);
    expect(toMs).toBeLessThanOrEqual(Date.now());
    await eventually(async () => requestsOf(ep).length === 2, 30_000);
  });

  it('a window with no record in any partition ends at once with nothing done', async () => {
    const res = await replay([
      '--tenant',
      a,
      '--endpoint',
      target.id,
      '--from-time',
      '2000-01-01T00:00:00Z',
      '--to-time',
      '2000-01-02T00:00:00+02:00',
      '--json',
    ]);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual({
      tenant: a,
      endpoint: target.id,
      from: '2000-01-01T00:00:00.000000Z',
      to: '2000-01-01T22:00:00.000000Z',
      scanned: 0,
      matched: 0,
      created: 0,
      reset: 0,
    });
  });

  it('refuses, in one line on stderr and a non-zero exit, what it cannot do', async () => {
    const disabled = await seedEndpoint(t.ds, {
      tenant: a,
      url: `${receiver.url}/hooks/${uniqueName('off')}`,
      active: false,
    });
    const ghost = uniqueName('ghost');
    const unknownId = 'ep_01JG5K8HW2X4A8Q3M1T6KQ7BWP';
    const future = new Date(Date.now() + 3_600_000);
    const fromText = from.toISOString();
    const base = (ep: string, tenant = a) => ['--tenant', tenant, '--endpoint', ep];
    const cases: Array<{ args: string[]; error: string }> = [
      { args: [...base(target.id, ghost), '--from-time', fromText], error: `tenant ${ghost} not found` },
      {
        args: [...base(unknownId), '--from-time', fromText],
        error: `endpoint ${unknownId} not found in tenant ${a}`,
      },
      {
        args: [...base(foreign.id), '--from-time', fromText],
        error: `endpoint ${foreign.id} not found in tenant ${a}`,
      },
      {
        args: [...base(disabled.id), '--from-time', fromText],
        error: `endpoint ${disabled.id} of tenant ${a} is disabled; enable it first`,
      },
      ...['yesterday', '2026-05-28', '2026-02-30T00:00:00Z', '2026-05-28 12:00:00Z'].map((bad) => ({
        args: [...base(target.id), '--from-time', bad],
        error: `--from-time must be an RFC 3339 time like 2026-05-28T12:00:00Z (got "${bad}")`,
      })),
      {
        args: [...base(target.id), '--from-time', fromText, '--to-time', 'soon'],
        error: '--to-time must be an RFC 3339 time like 2026-05-28T12:00:00Z (got "soon")',
      },
      {
        args: [...base(target.id), '--from-time', fromText, '--to-time', fromText],
        error: `--to-time (${publicTime(from)}) must be after --from-time (${publicTime(from)})`,
      },
      {
        args: [
          ...base(target.id),
          '--from-time',
          fromText,
          '--to-time',
          new Date(from.getTime() - 1).toISOString(),
        ],
        error: `--to-time (${publicTime(new Date(from.getTime() - 1))}) must be after --from-time (${publicTime(from)})`,
      },
      {
        args: [...base(target.id), '--from-time', future.toISOString()],
        error: `--from-time (${publicTime(future)}) is in the future`,
      },
    ];
    const results = await Promise.all(cases.map((c) => replay([...c.args, '--json'])));
    results.forEach((res, i) => {
      const { error } = cases[i]!;
      expect({ error, status: res.status === 0 ? 0 : 'non-zero' }).toEqual({ error, status: 'non-zero' });
      expect({ error, stdout: res.stdout }).toEqual({ error, stdout: '' });
      expect(res.stderr).toBe(`herald: ${error}\n`);
    });
    expect(await deliveriesOf(disabled)).toEqual([]);
  });

  it('leaves no consumer group behind', async () => {
    const admin = testKafka('webhooks-replay-history-groups').admin();
    await admin.connect();
    try {
      const { groups } = await admin.listGroups();
      expect(groups.map((g) => g.groupId).filter((id) => id.startsWith(GROUP_PREFIX))).toEqual([]);
    } finally {
      await admin.disconnect();
    }
  });
});
