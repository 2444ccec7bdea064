/**
 * The command side over real HTTP against the real broker and database: the 17 typed
 * commands (one internal event each, on the right topic, with the right key and body),
 * their validation, auth and tenant errors, idempotent public ids, and the batch ingest
 * `POST /internal/v1/events` (all or nothing, 1,000 max, internal-only kinds).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  INTERNAL_CONTEXTS,
  kindSpec,
  KIND_SPECS,
  publicEventId,
  Topics,
  validateInternalEvent,
} from '@herald/contracts';
import { createLogger, createRolesApp, freePort, loadConfig, TenantsRepository } from '@herald/platform';
import type { Admin, Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { CommandsModule } from '../../apps/commands/src/commands.module';
import {
  eventually,
  migratedDataSource,
  testDatabaseUrl,
  testKafka,
  testKafkaBrokers,
  uniqueName,
} from '../support/infra';

const TOKEN = 'x'.repeat(40);
const INTERNAL_TOPICS = INTERNAL_CONTEXTS.map((c) => Topics.internal[c]);

/** One valid body per command: exactly the required data of its kind. */
const COMMANDS: Array<{ route: string; kind: string; data: Record<string, unknown> }> = [
  {
    route: 'accounts/register-user',
    kind: 'account.user.registered',
    data: { user_id: 11, username: 'ada', email: 'ada@example.com', ip: '203.0.113.7' },
  },
  {
    route: 'accounts/update-user',
    kind: 'account.user.updated',
    data: { user_id: 11, username: 'ada', display_name: 'Ada L.', email: 'ada@example.com' },
  },
  {
    route: 'forum/create-thread',
    kind: 'forum.thread.created',
    data: { thread_id: 5, forum_slug: 'general', title: 'Hello', author_id: 11, author_username: 'ada' },
  },
  {
    route: 'forum/create-post',
    kind: 'forum.post.created',
    data: {
      post_id: 42,
      thread_id: 5,
      forum_slug: 'general',
      title: 'Hello',
      body: 'First!',
      author_id: 11,
      author_username: 'ada',
      ip: '203.0.113.7',
    },
  },
  {
    route: 'forum/edit-post',
    kind: 'forum.post.edited',
    data: { post_id: 42, thread_id: 5, forum_slug: 'general', title: 'Hello again', editor_id: 12 },
  },
  {
    route: 'forum/delete-post',
    kind: 'forum.post.deleted',
    data: { post_id: 42, thread_id: 5, deleted_by: 12 },
  },
  {
    route: 'moderation/ban-user',
    kind: 'moderation.user.banned',
    data: { user_id: 11, moderator_id: 12, reason: 'spam', until: '2026-12-01T00:00:00Z' },
  },
  {
    route: 'moderation/unban-user',
    kind: 'moderation.user.unbanned',
    data: { user_id: 11, moderator_id: 12 },
  },
  {
    route: 'help/open-ticket',
    kind: 'help.ticket.opened',
    data: { ticket_id: 7, subject: 'Login broken', requester_id: 11, requester_email: 'ada@example.com' },
  },
  {
    route: 'help/add-ticket-message',
    kind: 'help.ticket.message_added',
    data: { ticket_id: 7, message_id: 70, author_id: 12, author_role: 'agent', body: 'On it.' },
  },
  {
    route: 'help/change-ticket-status',
    kind: 'help.ticket.status_changed',
    data: { ticket_id: 7, from: 'open', to: 'pending' },
  },
  {
    route: 'help/assign-ticket',
    kind: 'help.ticket.assigned',
    data: { ticket_id: 7, assignee_type: 'team', assignee_id: 3 },
  },
  {
    route: 'learn/create-enrollment',
    kind: 'learn.enrollment.created',
    data: { enrollment_id: 9, course_id: 4, learner_id: 11 },
  },
  {
    route: 'learn/complete-enrollment',
    kind: 'learn.enrollment.completed',
    data: { enrollment_id: 9, course_id: 4, learner_id: 11, score: null },
  },
  {
    route: 'learn/publish-course',
    kind: 'learn.course.published',
    data: { course_id: 4, title: 'Kafka 101', author_id: 12 },
  },
  {
    route: 'know/approve-page',
    kind: 'know.page.approved',
    data: { page_id: 8, slug: 'getting-started', title: 'Getting started', approver_id: 12 },
  },
  {
    route: 'know/apply-page-edit',
    kind: 'know.page.edit_applied',
    data: { page_id: 8, slug: 'getting-started', title: 'Getting started!', editor_id: 13, revision: 2 },
  },
];

interface Reply {
  status: number;
  /** Parsed JSON; the assertions are what check its shape. */
  body: any;
}

interface TopicRecord {
  topic: string;
  partition: number;
  offset: number;
  key: string;
  headers: Record<string, string>;
  value: { id: string; tenant: string; kind: string; occurred_at: string; data: Record<string, unknown> };
}

/** Log end offset per topic and partition. */
type Offsets = Map<string, Map<number, number>>;

const errorEnvelope = (code: string) => ({
  error: expect.objectContaining({ code, message: expect.any(String) }),
  meta: { request_id: expect.any(String) },
});

describe('command modules (real Kafka + Postgres, over HTTP)', () => {
  let ds: DataSource;
  let app: NestFastifyApplication;
  let base: string;
  let kafka: Kafka;
  let admin: Admin;
  let tenant: string;
  let dataDir: string;

  beforeAll(async () => {
    ds = await migratedDataSource();
    tenant = uniqueName('cmd');
    await new TenantsRepository(ds).create(tenant);

    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-commands-'));
    const projectRoot = path.resolve(__dirname, '..', '..');
    const config = {
      ...loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', HERALD_DATA_DIR: dataDir }, { projectRoot }),
      databaseUrl: testDatabaseUrl(),
      kafkaBrokers: testKafkaBrokers(),
      serviceToken: TOKEN,
    };
    app = await createRolesApp([CommandsModule], config, createLogger({ level: 'silent' }));
    const port = await freePort();
    await app.listen(port, '127.0.0.1');
    base = `http://127.0.0.1:${port}`;

    kafka = testKafka('herald-commands-test');
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.disconnect();
    await app?.close();
    await ds?.destroy();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function post(route: string, body: unknown, token: string | null = TOKEN): Promise<Reply> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token !== null) headers.authorization = `Bearer ${token}`;
    const res = await fetch(`${base}${route}`, {
      method: 'POST',
      headers,
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  }

  const command = (route: string, body: unknown, opts: { tenant?: string; token?: string | null } = {}) =>
    post(`/internal/v1/tenants/${opts.tenant ?? tenant}/${route}`, body, opts.token);

  async function endOffsets(topics: string[] = INTERNAL_TOPICS): Promise<Offsets> {
    const out: Offsets = new Map();
    for (const topic of topics) {
      // Right after creation a partition's leader may not be known yet (NOT_LEADER…): retry.
      const parts = await eventually(() => admin.fetchTopicOffsets(topic), 20_000, 200);
      out.set(topic, new Map(parts.map((p) => [p.partition, Number(p.high)])));
    }
    return out;
  }

  /**
   * Every record of `topics` between `from` (default: the beginning) and the current log
   * end, read by a consumer in a group of its own.
   */
  async function readRange(from?: Offsets, topics: string[] = INTERNAL_TOPICS): Promise<TopicRecord[]> {
    const to = await endOffsets(topics);
    const start = (topic: string, partition: number) => from?.get(topic)?.get(partition) ?? 0;
    const remaining = new Set<string>();
    for (const [topic, parts] of to) {
      for (const [partition, end] of parts)
        if (end > start(topic, partition)) remaining.add(`${topic}/${partition}`);
    }
    const out: TopicRecord[] = [];
    if (remaining.size === 0) return out;
    const consumer = kafka.consumer({ groupId: uniqueName('herald-commands-test'), maxWaitTimeInMs: 500 });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`still waiting for ${[...remaining].join(', ')}`)),
          30_000,
        );
        consumer
          .run({
            eachMessage: async ({ topic, partition, message }) => {
              const offset = Number(message.offset);
              const end = to.get(topic)?.get(partition) ?? 0;
              if (offset >= start(topic, partition) && offset < end) {
                const headers: Record<string, string> = {};
                for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
                out.push({
                  topic,
                  partition,
                  offset,
                  key: message.key?.toString('utf8') ?? '',
                  headers,
                  value: JSON.parse(message.value?.toString('utf8') ?? 'null'),
                });
              }
              if (offset + 1 >= end && remaining.delete(`${topic}/${partition}`) && remaining.size === 0) {
                clearTimeout(timer);
                resolve();
              }
            },
          })
          .catch(reject);
      });
    } finally {
      await consumer.disconnect();
    }
    return out;
  }

  const ours = (records: TopicRecord[]) => records.filter((r) => r.value?.tenant === tenant);

  it('has one command per published kind of the catalog', () => {
    expect(COMMANDS.map((c) => c.kind).sort()).toEqual(KIND_SPECS.map((s) => s.kind).sort());
  });

  it('appends exactly one internal event per command, on its context topic, keyed tenant:aggregate', async () => {
    const before = await endOffsets();
    const accepted: Array<{ id: string; kind: string; public_event_id: string }> = [];
    for (const c of COMMANDS) {
      const res = await command(c.route, c.data);
      expect({ route: c.route, status: res.status }).toEqual({ route: c.route, status: 202 });
      expect(res.body).toEqual({
        data: { id: expect.any(String), kind: c.kind, public_event_id: expect.any(String) },
        meta: { request_id: expect.any(String) },
      });
      const data = res.body.data as { id: string; kind: string; public_event_id: string };
      expect(data.id).toMatch(/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/); // a minted ULID
      expect(data.public_event_id).toBe(publicEventId(tenant, data.id));
      accepted.push(data);
    }

    const records = ours(await readRange(before));
    for (const [i, c] of COMMANDS.entries()) {
      const spec = kindSpec(c.kind)!;
      const id = accepted[i]!.id;
      const found = records.filter((r) => r.value.id === id);
      expect({ kind: c.kind, count: found.length }).toEqual({ kind: c.kind, count: 1 });
      const r = found[0]!;
      expect(r.topic).toBe(Topics.internal[spec.context]);
      expect(r.key).toBe(`${tenant}:${String(c.data[spec.aggregate])}`);
      expect(r.headers).toMatchObject({ 'herald-tenant': tenant, 'herald-kind': c.kind });
      expect(validateInternalEvent(r.value)).toMatchObject({ ok: true, internalOnly: false });
      expect(r.value).toEqual({ id, tenant, kind: c.kind, occurred_at: expect.any(String), data: c.data });
      expect(r.value.occurred_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
      expect(Math.abs(Date.parse(r.value.occurred_at) - Date.now())).toBeLessThan(60_000);
    }
    expect(records).toHaveLength(COMMANDS.length);
  });

  it('answers the same public_event_id when a command is re-sent with the same event_id', async () => {
    const eventId = randomUUID();
    const body = { ...COMMANDS[3]!.data, event_id: eventId, occurred_at: '2026-05-28T12:34:56.123456Z' };
    const first = await command('forum/create-post', body);
    const second = await command('forum/create-post', body);
    expect([first.status, second.status]).toEqual([202, 202]);
    expect(first.body.data).toEqual({
      id: eventId,
      kind: 'forum.post.created',
      public_event_id: publicEventId(tenant, eventId),
    });
    expect(second.body.data).toEqual(first.body.data);

    const ulid = '01JG5K8HW2X4A8Q3M1T6KQ7BWP';
    const a = await command('moderation/unban-user', { ...COMMANDS[7]!.data, event_id: ulid });
    const b = await command('moderation/unban-user', { ...COMMANDS[7]!.data, event_id: ulid });
    expect(a.body.data.public_event_id).toBe(b.body.data.public_event_id);
    expect(a.body.data.public_event_id).toBe(publicEventId(tenant, ulid));
  });

  it.each([
    ['a missing field', 'forum/create-post', { ...COMMANDS[3]!.data, post_id: undefined }, 'post_id'],
    ['an id given as a string', 'forum/create-post', { ...COMMANDS[3]!.data, post_id: '42' }, 'post_id'],
    ['a zero id', 'forum/delete-post', { ...COMMANDS[5]!.data, deleted_by: 0 }, 'deleted_by'],
    ['an empty string', 'forum/create-thread', { ...COMMANDS[2]!.data, title: '' }, 'title'],
    ['a too long title', 'forum/create-thread', { ...COMMANDS[2]!.data, title: 'x'.repeat(501) }, 'title'],
    ['an unknown field', 'forum/create-post', { ...COMMANDS[3]!.data, spam_score: 0.1 }, 'spam_score'],
    [
      'a status outside the enum',
      'help/change-ticket-status',
      { ticket_id: 7, from: 'open', to: 'done' },
      'to',
    ],
    [
      'a role outside the enum',
      'help/add-ticket-message',
      { ...COMMANDS[9]!.data, author_role: 'bot' },
      'author_role',
    ],
    [
      'an invalid until',
      'moderation/ban-user',
      { ...COMMANDS[6]!.data, until: '2026-02-31T00:00:00Z' },
      'until',
    ],
    ['a missing until', 'moderation/ban-user', { ...COMMANDS[6]!.data, until: undefined }, 'until'],
    ['a score as a string', 'learn/complete-enrollment', { ...COMMANDS[13]!.data, score: '90' }, 'score'],
    ['a fractional revision', 'know/apply-page-edit', { ...COMMANDS[16]!.data, revision: 2.5 }, 'revision'],
    [
      'an event_id that is neither UUID nor ULID',
      'learn/create-enrollment',
      { ...COMMANDS[12]!.data, event_id: 'abc' },
      'event_id',
    ],
    [
      'a bad occurred_at',
      'learn/create-enrollment',
      { ...COMMANDS[12]!.data, occurred_at: 'yesterday' },
      'occurred_at',
    ],
  ])('rejects %s with 400 bad_request', async (_what, route, body, field) => {
    const res = await command(route, body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(errorEnvelope('bad_request'));
    expect(res.body.error.message).toContain(field);
  });

  it('accepts null where the catalog allows it (until, score)', async () => {
    const ban = await command('moderation/ban-user', { ...COMMANDS[6]!.data, until: null });
    expect(ban.status).toBe(202);
    const done = await command('learn/complete-enrollment', { ...COMMANDS[13]!.data, score: 91.5 });
    expect(done.status).toBe(202);
  });

  it('rejects a body that is not one JSON object with 400 and the envelope', async () => {
    for (const body of ['{"post_id": ', '[]', JSON.stringify([COMMANDS[3]!.data]), 'null']) {
      const res = await command('forum/create-post', body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(res.body).toEqual(errorEnvelope(res.body.error.code as string));
    }
  });

  it('refuses a missing or wrong service token with 401 invalid_service_token', async () => {
    for (const token of [null, 'y'.repeat(40), `${TOKEN}x`]) {
      const res = await command('forum/create-post', COMMANDS[3]!.data, { token });
      expect(res.status).toBe(401);
      expect(res.body).toEqual(errorEnvelope('invalid_service_token'));
    }
    const basic = await fetch(`${base}/internal/v1/tenants/${tenant}/forum/create-post`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${TOKEN}` },
      body: JSON.stringify(COMMANDS[3]!.data),
    });
    expect(basic.status).toBe(401);
    const ingest = await post('/internal/v1/events', [], null);
    expect(ingest.status).toBe(401);
    expect(ingest.body).toEqual(errorEnvelope('invalid_service_token'));
  });

  it('answers 404 tenant_not_found for an unknown tenant and 400 invalid_tenant for a bad slug', async () => {
    const before = await endOffsets([Topics.internal.forum]);
    const nobody = uniqueName('nobody');
    const missing = await command('forum/create-post', COMMANDS[3]!.data, { tenant: nobody });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual(errorEnvelope('tenant_not_found'));
    const appended = await readRange(before, [Topics.internal.forum]);
    expect(appended.filter((r) => r.value?.tenant === nobody)).toEqual([]);

    for (const slug of ['Support', 'under_score', '-dash', 'a'.repeat(64)]) {
      const bad = await command('forum/create-post', COMMANDS[3]!.data, { tenant: slug });
      expect({ slug, status: bad.status }).toEqual({ slug, status: 400 });
      expect(bad.body).toEqual(errorEnvelope('invalid_tenant'));
    }
  });

  describe('POST /internal/v1/events', () => {
    const event = (c: (typeof COMMANDS)[number], over: Record<string, unknown> = {}) => ({
      id: randomUUID() as string,
      tenant,
      kind: c.kind,
      occurred_at: '2026-05-28T12:34:56.123456Z',
      data: c.data,
      ...over,
    });

    it('rejects a batch with one bad item in the middle and appends nothing of it', async () => {
      const before = await endOffsets();
      const batch = [
        event(COMMANDS[3]!),
        event(COMMANDS[6]!),
        event(COMMANDS[4]!, { data: { ...COMMANDS[4]!.data, editor_id: undefined } }),
        event(COMMANDS[0]!),
        event(COMMANDS[12]!),
      ];
      const res = await post('/internal/v1/events', batch);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: {
          code: 'invalid_events',
          message: expect.any(String),
          details: [{ index: 2, reason: 'data.editor_id is required' }],
        },
        meta: { request_id: expect.any(String) },
      });
      // Nothing of this request reached any internal topic: no record of this tenant past
      // the offsets taken before (other test files may share the broker, so offsets of
      // other tenants may move; this run's tenant is unique).
      const ids = new Set(batch.map((e) => e.id));
      const appended = (await readRange(before)).filter((r) => ids.has(r.value?.id));
      expect(appended).toEqual([]);
    });

    it('accepts a batch of 1,000 and appends all of them', async () => {
      const before = await endOffsets();
      const batch = Array.from({ length: 1000 }, (_, i) => event(COMMANDS[i % COMMANDS.length]!));
      const res = await post('/internal/v1/events', batch);
      expect(res.status).toBe(202);
      expect(res.body.data.accepted).toBe(1000);
      expect(res.body.data.events).toHaveLength(1000);
      expect(res.body.data.events[0]).toEqual({
        id: batch[0]!.id,
        public_event_id: publicEventId(tenant, batch[0]!.id),
      });

      const ids = new Set(batch.map((e) => e.id));
      const appended = ours(await readRange(before)).filter((r) => ids.has(r.value.id));
      expect(appended).toHaveLength(1000);
      expect(new Set(appended.map((r) => r.value.id)).size).toBe(1000);
      for (const r of appended) expect(r.topic).toBe(Topics.internal[kindSpec(r.value.kind)!.context]);
    });

    it('refuses 1,001 events with 413 too_many_events', async () => {
      const batch = Array.from({ length: 1001 }, (_, i) => event(COMMANDS[i % COMMANDS.length]!));
      const res = await post('/internal/v1/events', batch);
      expect(res.status).toBe(413);
      expect(res.body).toEqual(errorEnvelope('too_many_events'));
    });

    it('accepts internal-only kinds and says they will not be published', async () => {
      const before = await endOffsets([Topics.internal.forum]);
      const draft = {
        id: randomUUID(),
        tenant,
        kind: 'forum.draft.saved',
        occurred_at: '2026-05-28T12:34:56Z',
        data: { draft_id: 3, author_id: 11 },
      };
      const res = await post('/internal/v1/events', draft);
      expect(res.status).toBe(202);
      expect(res.body.data).toEqual({ accepted: 1, events: [{ id: draft.id, public_event_id: null }] });
      const appended = ours(await readRange(before, [Topics.internal.forum])).filter(
        (r) => r.value.id === draft.id,
      );
      expect(appended).toHaveLength(1);
      expect(appended[0]!.key).toBe(`${tenant}:${draft.id}`);
      expect(appended[0]!.value).toEqual(draft);
    });
  });
});
