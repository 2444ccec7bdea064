/**
 * Hostile and unstorable input over real HTTP, on the real broker and database: JSON nested
 * past the limit, NUL and lone surrogates in bodies, queries and paths, and ids beyond
 * 2^53−1. Each is a 4xx with the error envelope and a stable code, and nothing is stored or
 * appended; the translator dead-letters such events arriving straight on its topics.
 */
import * as http from 'node:http';
import { DeadLetterHeaders, INTERNAL_CONTEXTS, Topics } from '@herald/contracts';
import { HeraldProducer, TenantsRepository } from '@herald/platform';
import type { Admin, Kafka } from 'kafkajs';
import { CommandsModule } from '../../apps/commands/src/commands.module';
import { GatewayModule } from '../../apps/gateway/src/gateway.module';
import { TranslatorModule } from '../../apps/translator/src/translator.module';
import { internalEvent } from '../fixtures/internal-events';
import { mintTestKey, TestKey } from '../support/api-keys';
import { startTestApp, TestApp, TEST_SERVICE_TOKEN } from '../support/app';
import { eventually, testKafka, uniqueName } from '../support/infra';

const INTERNAL_TOPICS = INTERNAL_CONTEXTS.map((c) => Topics.internal[c]);

interface Reply {
  status: number;
  body: any;
}

/** A request whose body is sent as the exact text or bytes given (so it can hold 2^53+1, `\ud800` or bad UTF-8). */
function send(
  base: string,
  method: string,
  path: string,
  opts: { text?: string | Buffer; host?: string; authorization: string },
): Promise<Reply> {
  const url = new URL(base);
  const headers: Record<string, string> = { authorization: opts.authorization };
  if (opts.host) headers.host = `${opts.host}:${url.port}`;
  if (opts.text !== undefined) headers['content-type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname: url.hostname, port: url.port, path, method, headers }, (res) => {
      let raw = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (raw += c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: raw === '' ? undefined : JSON.parse(raw) }),
      );
    });
    req.on('error', reject);
    if (opts.text !== undefined) req.write(opts.text);
    req.end();
  });
}

const nested = (depth: number, inner = '1'): string => '['.repeat(depth) + inner + ']'.repeat(depth);

describe('hostile input (real Kafka + Postgres)', () => {
  let t: TestApp;
  let kafka: Kafka;
  let admin: Admin;
  let manage: TestKey;
  let read: TestKey;
  const tenant = uniqueName('hostile');

  beforeAll(async () => {
    t = await startTestApp([GatewayModule, CommandsModule, TranslatorModule], {
      webhookAllowCidrs: ['127.0.0.0/8'],
    });
    await new TenantsRepository(t.ds).create(tenant);
    manage = await mintTestKey(t.ds, tenant, ['webhooks:read', 'webhooks:manage', 'events:read']);
    read = await mintTestKey(t.ds, tenant, ['events:read', 'users:read', 'posts:read', 'webhooks:read']);
    kafka = testKafka('herald-hostile-test');
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.disconnect();
    await t?.close();
  });

  const api = (method: string, path: string, text?: string | Buffer, key: TestKey = manage) =>
    send(t.baseUrl, method, path, { text, host: tenant + '.localhost', authorization: `Bearer ${key.key}` });
  const internal = (path: string, text: string | Buffer) =>
    send(t.baseUrl, 'POST', path, { text, authorization: `Bearer ${TEST_SERVICE_TOKEN}` });

  const endpointCount = async (): Promise<number> =>
    (await t.ds.query(`SELECT count(*)::int AS n FROM webhook_endpoints WHERE tenant = $1`, [tenant]))[0].n;

  /** Sum of the log end offsets of every internal topic. */
  async function appendedSoFar(): Promise<number> {
    let sum = 0;
    for (const topic of INTERNAL_TOPICS) {
      const parts = await eventually(() => admin.fetchTopicOffsets(topic), 20_000, 200);
      for (const p of parts) sum += Number(p.high);
    }
    return sum;
  }

  const envelope = (code: string) => ({
    error: expect.objectContaining({ code, message: expect.any(String) }),
    meta: { request_id: expect.any(String) },
  });

  describe('JSON nested past 64 levels is 400 invalid_json', () => {
    it('on POST and PATCH /api/v1/webhooks and rotate-secret, storing and changing nothing', async () => {
      const ok = await api(
        'POST',
        '/api/v1/webhooks',
        JSON.stringify({ url: 'https://127.0.0.1:8443/h', events: ['*'] }),
      );
      expect(ok.status).toBe(201);
      const ep = ok.body.data;
      const before = await t.ds.query(`SELECT * FROM webhook_endpoints WHERE id = $1`, [ep.id]);
      const deep = `{"url":"https://127.0.0.1:8443/h","events":["*"],"filters":{"data.x":${nested(2000)}}}`;
      expect(deep.length).toBeLessThan(5000);

      for (const [method, path, body] of [
        ['POST', '/api/v1/webhooks', deep],
        ['PATCH', `/api/v1/webhooks/${ep.id}`, `{"filters":{"data.x":${nested(2000)}}}`],
        ['POST', `/api/v1/webhooks/${ep.id}/rotate-secret`, `{"grace_seconds":${nested(2000, '0')}}`],
      ] as const) {
        const res = await api(method, path, body);
        expect([method, path, res.status, res.body]).toEqual([method, path, 400, envelope('invalid_json')]);
        expect(res.body.error.message).toMatch(/deeper than 64 levels/);
      }
      expect(await endpointCount()).toBe(1);
      expect(await t.ds.query(`SELECT * FROM webhook_endpoints WHERE id = $1`, [ep.id])).toEqual(before);
    });

    it('64 levels are still fine', async () => {
      // The body, filters and 62 arrays: 64 levels; the filter value is then refused on its merits.
      const res = await api(
        'POST',
        '/api/v1/webhooks',
        `{"url":"https://127.0.0.1:8443/h","events":["*"],"filters":{"data.x":${nested(62)}}}`,
      );
      expect(res.status).not.toBe(500);
      expect(res.body.error.code).not.toBe('invalid_json');
    });

    it('on POST /internal/v1/events: a 5,000-deep array in data is refused and nothing is appended', async () => {
      const before = await appendedSoFar();
      const event = internalEvent(tenant, { kind: 'forum.draft.saved', data: { draft_id: 1 } });
      const text = JSON.stringify(event).replace('"draft_id":1', `"draft_id":1,"deep":${nested(5000)}`);
      const res = await internal('/internal/v1/events', text);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(envelope('invalid_json'));
      expect(await appendedSoFar()).toBe(before);
    });
  });

  describe('a body that is not valid UTF-8 is 400 invalid_json, never stored with U+FFFD', () => {
    // "lab\xffel": one byte that is not UTF-8 where the client meant some text.
    const badUtf8 = (json: string): Buffer => {
      const [head, tail] = json.split('BAD');
      return Buffer.concat([Buffer.from(head!), Buffer.from([0xff]), Buffer.from(tail!)]);
    };

    it('on POST /api/v1/webhooks: nothing registered', async () => {
      const before = await endpointCount();
      const res = await api(
        'POST',
        '/api/v1/webhooks',
        badUtf8('{"url":"https://127.0.0.1:8443/h","events":["*"],"label":"labBADel"}'),
      );
      expect(res.status).toBe(400);
      expect(res.body).toEqual(envelope('invalid_json'));
      expect(res.body.error.message).toMatch(/not valid UTF-8/);
      expect(await endpointCount()).toBe(before);
    });

    it('on POST /internal/v1/events: nothing appended', async () => {
      const before = await appendedSoFar();
      const event = internalEvent(tenant, { kind: 'forum.draft.saved', data: { draft_id: 1 } });
      const text = JSON.stringify(event).replace('"draft_id":1', '"draft_id":1,"note":"BAD"');
      const res = await internal('/internal/v1/events', badUtf8(text));
      expect(res.status).toBe(400);
      expect(res.body).toEqual(envelope('invalid_json'));
      expect(await appendedSoFar()).toBe(before);
    });
  });

  describe('NUL and lone surrogates are 400 bad_request naming the field', () => {
    it.each([
      ['a NUL in the label', { label: 'a\u0000b' }, 'label'],
      ['a lone surrogate in the label', { label: 'a\ud800b' }, 'label'],
      [
        'a NUL in a filter value',
        { events: ['post.*'], filters: { 'data.forum_slug': 'x\u0000' } },
        'filters.data.forum_slug',
      ],
      [
        'a NUL in a filter path',
        { events: ['post.*'], filters: { 'data.\u0000': 'x' } },
        'filters.data.\u0000',
      ],
      ['a NUL in the URL', { url: 'https://127.0.0.1:8443/h\u0000' }, 'url'],
      ['a lone surrogate in an event pattern', { events: ['post.*', '\udc00'] }, 'events[1]'],
    ])('POST /api/v1/webhooks with %s; nothing stored', async (_, fields, field) => {
      const before = await endpointCount();
      const body = JSON.stringify({ url: 'https://127.0.0.1:8443/h', events: ['*'], ...fields });
      const res = await api('POST', '/api/v1/webhooks', body);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(envelope('bad_request'));
      expect(res.body.error.details).toEqual([{ field, reason: expect.stringMatching(/NUL|surrogate/) }]);
      expect(await endpointCount()).toBe(before);
    });

    it('PATCH /api/v1/webhooks/{id} with a NUL in the label changes nothing', async () => {
      const ok = await api(
        'POST',
        '/api/v1/webhooks',
        JSON.stringify({ url: 'https://127.0.0.1:8443/p', events: ['*'] }),
      );
      const id = ok.body.data.id;
      const res = await api('PATCH', `/api/v1/webhooks/${id}`, JSON.stringify({ label: '\u0000' }));
      expect(res.status).toBe(400);
      expect(res.body.error.details).toEqual([{ field: 'label', reason: expect.stringMatching(/NUL/) }]);
      expect(
        (await t.ds.query(`SELECT label FROM webhook_endpoints WHERE id = $1`, [id]))[0].label,
      ).toBeNull();
    });

    it.each([
      '/api/v1/events?type=post.%00',
      '/api/v1/events?cursor=%00',
      '/api/v1/events?since=%00',
      '/api/v1/events/%00',
      '/api/v1/users/%00',
      '/api/v1/posts/%00',
      '/api/v1/webhooks/%00',
      '/api/v1/webhooks/%00/deliveries',
      '/api/v1/webhooks?cursor=x%00',
    ])('GET %s', async (path) => {
      const res = await api('GET', path, undefined, read);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(envelope('bad_request'));
      expect(res.body.error.details[0].reason).toMatch(/NUL/);
    });
  });

  describe('ids beyond 2^53−1 and unstorable text at ingest: 400, nothing appended', () => {
    const post = (postId: string, title = '"t"'): string =>
      `{"id":"${internalEvent(tenant, { kind: 'x', data: {} }).id}","tenant":"${tenant}","kind":"forum.post.created",` +
      `"occurred_at":"2026-05-28T12:00:00Z","data":{"post_id":${postId},"thread_id":1,"forum_slug":"g","title":${title},` +
      `"body":"b","author_id":2,"author_username":"u","ip":"203.0.113.1"}}`;

    it.each([
      ['2^53+1', post('9007199254740993'), /data\.post_id must be <= 9007199254740991/],
      ['2^63', post('9223372036854775808'), /data\.post_id must be <= 9007199254740991/],
      ['a NUL in the title', post('1', '"a\\u0000"'), /data\.title must not contain NUL/],
      [
        'a lone surrogate in the title',
        post('1', '"a\\ud800"'),
        /data\.title must not contain a lone UTF-16 surrogate/,
      ],
    ])('POST /internal/v1/events with %s at index 1', async (_, bad, reason) => {
      const before = await appendedSoFar();
      const res = await internal('/internal/v1/events', `[${post('5')},${bad}]`);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(envelope('invalid_events'));
      expect(res.body.error.details).toEqual([{ index: 1, reason: expect.stringMatching(reason) }]);
      expect(await appendedSoFar()).toBe(before);
    });

    const createPost = (postId: string, title = '"t"', body = '"b"'): string =>
      `{"post_id":${postId},"thread_id":1,"forum_slug":"g","title":${title},"body":${body},` +
      `"author_id":2,"author_username":"u","ip":"203.0.113.1"}`;

    it.each([
      [
        'post_id 2^53+1',
        createPost('9007199254740993'),
        'post_id',
        /post_id must not be greater than 9007199254740991/,
      ],
      ['post_id 2^63', createPost('9223372036854775808'), 'post_id', /post_id must not be greater than/],
      ['a NUL in the title', createPost('1', '"\\u0000"'), 'title', /title must not contain NUL/],
      [
        'a lone surrogate in the body',
        createPost('1', '"t"', '"\\udfff"'),
        'body',
        /body must not contain a lone/,
      ],
    ])('the typed create-post command with %s', async (_, text, field, reason) => {
      const before = await appendedSoFar();
      const res = await internal(`/internal/v1/tenants/${tenant}/forum/create-post`, text);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(envelope('bad_request'));
      expect(res.body.error.details).toContainEqual({ field, reason: expect.stringMatching(reason) });
      expect(await appendedSoFar()).toBe(before);
    });
  });

  it('the translator dead-letters unsafe ids, NUL, lone surrogates and deep data straight off its topics, and keeps going', async () => {
    const key = uniqueName('hostile');
    const base = internalEvent(tenant, {
      kind: 'forum.thread.created',
      data: { thread_id: 1, forum_slug: 'g', title: 't', author_id: 2, author_username: 'u' },
    });
    const variant = (patch: string): string =>
      JSON.stringify({ ...base, id: internalEvent(tenant, { kind: 'x', data: {} }).id }).replace(
        '"thread_id":1',
        patch,
      );
    const good = { ...base, data: { ...base.data, thread_id: 31337 } };
    const producer = new HeraldProducer(kafka);
    await producer.connect();
    await producer.send(Topics.internal.forum, [
      { key, value: variant('"thread_id":9007199254740993') },
      { key, value: variant('"thread_id":1,"title":"\\u0000"').replace('"title":"t",', '') },
      { key, value: variant('"thread_id":1,"forum_slug":"\\ud800"').replace('"forum_slug":"g",', '') },
      { key, value: variant(`"thread_id":1,"extra":${nested(5000)}`) },
      { key, value: JSON.stringify(good) },
    ]);
    await producer.disconnect();

    const dead: string[] = [];
    const published: string[] = [];
    const consumer = kafka.consumer({ groupId: uniqueName('hostile-reader'), maxWaitTimeInMs: 200 });
    await consumer.connect();
    await consumer.subscribe({ topics: [Topics.deadLetter, Topics.publicEvents], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        if (topic === Topics.deadLetter && message.key?.toString() === key)
          dead.push(String(message.headers?.[DeadLetterHeaders.reason]));
        if (topic === Topics.publicEvents && message.key?.toString() === `${tenant}:31337`)
          published.push(message.value?.toString() ?? '');
      },
    });
    try {
      await eventually(async () => dead.length >= 4 && published.length >= 1, 30_000);
    } finally {
      await consumer.disconnect();
    }
    expect(dead).toEqual([
      'data.thread_id must be <= 9007199254740991',
      'data.title must not contain NUL (\\u0000)',
      'data.forum_slug must not contain a lone UTF-16 surrogate',
      expect.stringMatching(/^data\.extra(\[0\])+ nests deeper than 64 levels$/),
    ]);
    expect(JSON.parse(published[0]!).data.thread_id).toBe(31337);
  });
});
