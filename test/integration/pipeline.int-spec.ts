/**
 * The event pipeline end to end on the real broker and database: ingest → internal
 * topics → translator → public topic → projector → read models, plus dead letters,
 * id determinism, first-only kinds, field whitelisting and rebuild equality.
 */
import { DeadLetterHeaders, Topics } from '@herald/contracts';
import { ProjectionReplayer } from '@herald/events';
import { HeraldProducer, TenantsRepository } from '@herald/platform';
import type { Kafka } from 'kafkajs';
import { CommandsModule } from '../../apps/commands/src/commands.module';
import { ProjectorModule } from '../../apps/projector/src/projector.module';
import { TranslatorModule } from '../../apps/translator/src/translator.module';
import { FIXTURES, internalEvent, SECRET_EMAIL, SECRET_IP, SECRET_TEXT } from '../fixtures/internal-events';
import { postJson, startTestApp, TestApp } from '../support/app';
import { eventually, testKafka, uniqueName } from '../support/infra';

interface Rec {
  key: string;
  value: string;
  headers: Record<string, string>;
}

/** Every record of a topic whose key or headers mention `needle`, read from the start. */
async function readTopic(
  kafka: Kafka,
  topic: string,
  match: (r: Rec) => boolean,
  atLeast: number,
): Promise<Rec[]> {
  const out: Rec[] = [];
  const consumer = kafka.consumer({ groupId: uniqueName('reader'), maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
      const r = { key: message.key?.toString() ?? '', value: message.value?.toString() ?? '', headers };
      if (match(r)) out.push(r);
    },
  });
  try {
    await eventually(async () => out.length >= atLeast, 30_000);
    await new Promise((r) => setTimeout(r, 300)); // anything beyond the expected count shows up too
  } finally {
    await consumer.disconnect();
  }
  return out;
}

async function snapshot(app: TestApp, tenant: string): Promise<unknown> {
  return {
    events: await app.ds.query(
      `SELECT id, type, created_at, data::text AS data, subject_id FROM events WHERE tenant = $1 ORDER BY id`,
      [tenant],
    ),
    users: await app.ds.query(`SELECT * FROM users WHERE tenant = $1 ORDER BY id`, [tenant]),
    posts: await app.ds.query(`SELECT * FROM posts WHERE tenant = $1 ORDER BY id`, [tenant]),
  };
}

describe('event pipeline (real Kafka + Postgres)', () => {
  let app: TestApp;
  let kafka: Kafka;
  const tenant = uniqueName('pipe');
  const sent = FIXTURES.map((f, i) =>
    internalEvent(tenant, f, { occurred_at: `2026-05-28T12:00:${String(i).padStart(2, '0')}.123456Z` }),
  );

  beforeAll(async () => {
    app = await startTestApp([CommandsModule, TranslatorModule, ProjectorModule]);
    kafka = testKafka();
    await new TenantsRepository(app.ds).create(tenant);
    const res = await postJson(`${app.baseUrl}/internal/v1/events`, [
      ...sent,
      internalEvent(tenant, { kind: 'forum.draft.saved', data: { draft_id: 1, body: SECRET_TEXT } }),
    ]);
    expect(res.status).toBe(202);
    await eventually(async () => {
      const [row] = await app.ds.query(`SELECT count(*)::int AS n FROM events WHERE tenant = $1`, [tenant]);
      return row.n === FIXTURES.length;
    }, 30_000);
  });

  afterAll(async () => {
    await app.close();
  });

  it('maps every internal kind to its public type and exact public data', async () => {
    const rows: Array<{ type: string; data: unknown; created_at: string }> = await app.ds.query(
      `SELECT type, data, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at
         FROM events WHERE tenant = $1 ORDER BY created_at`,
      [tenant],
    );
    expect(rows.map((r) => ({ type: r.type, data: r.data }))).toEqual(
      FIXTURES.map((f) => ({ type: f.publicType, data: f.publicData })),
    );
    expect(rows.map((r) => r.created_at)).toEqual(sent.map((e) => e.occurred_at));
  });

  it('publishes keyed tenant:subject with only whitelisted fields, and never an internal-only kind', async () => {
    const records = await readTopic(
      kafka,
      Topics.publicEvents,
      (r) => r.headers['herald-tenant'] === tenant,
      FIXTURES.length,
    );
    expect(records).toHaveLength(FIXTURES.length);
    for (const r of records) {
      expect(r.key).toMatch(new RegExp(`^${tenant}:\\d+$`));
      const evt = JSON.parse(r.value);
      expect(Object.keys(evt)).toEqual(['id', 'type', 'created_at', 'data']);
      expect(evt.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
      expect(evt.type).not.toBe('forum.draft.saved');
    }
    const everything = JSON.stringify([records, await snapshot(app, tenant)]);
    for (const secret of [SECRET_EMAIL, SECRET_IP, SECRET_TEXT]) expect(everything).not.toContain(secret);
  });

  it('projects users and posts from their event histories', async () => {
    const [user] = await app.ds.query(
      `SELECT id::int, username, display_name, banned_until, joined_at IS NOT NULL AS joined FROM users WHERE tenant = $1`,
      [tenant],
    );
    // joined → updated → banned → unbanned
    expect(user).toEqual({
      id: 11,
      username: 'ada',
      display_name: 'Ada L.',
      banned_until: null,
      joined: true,
    });
    const [post] = await app.ds.query(
      `SELECT id::int, thread_id::int, forum_slug, title, author_id::int, author_username, deleted FROM posts WHERE tenant = $1`,
      [tenant],
    );
    // created → edited → deleted: kept, flagged
    expect(post).toEqual({
      id: 42,
      thread_id: 5,
      forum_slug: 'general',
      title: 'Hello again',
      author_id: 11,
      author_username: 'ada',
      deleted: true,
    });
  });

  it('re-sending the same internal events re-publishes the same ids and creates no second public event', async () => {
    const before: Array<{ id: string }> = await app.ds.query(
      `SELECT id FROM events WHERE tenant = $1 ORDER BY id`,
      [tenant],
    );
    const res = await postJson(`${app.baseUrl}/internal/v1/events`, sent);
    expect(res.status).toBe(202);
    expect(res.body.data.events.map((e: { public_event_id: string }) => e.public_event_id).sort()).toEqual(
      before
        .map((r) => r.id)
        .filter((id) =>
          res.body.data.events.some((e: { public_event_id: string }) => e.public_event_id === id),
        )
        .sort(),
    );
    // Re-translation yields the same ids on the public topic (course/page repeats are the first event itself).
    const records = await readTopic(
      kafka,
      Topics.publicEvents,
      (r) => r.headers['herald-tenant'] === tenant,
      FIXTURES.length * 2,
    );
    const ids = records.map((r) => JSON.parse(r.value).id as string);
    expect(new Set(ids)).toEqual(new Set(before.map((r) => r.id)));
    const after = await app.ds.query(`SELECT id FROM events WHERE tenant = $1 ORDER BY id`, [tenant]);
    expect(after).toEqual(before);
  });

  it('publishes course.published and page.created only for the first occurrence per subject', async () => {
    const course = FIXTURES.find((f) => f.kind === 'learn.course.published')!;
    const page = FIXTURES.find((f) => f.kind === 'know.page.approved')!;
    const marker = internalEvent(
      tenant,
      FIXTURES.find((f) => f.kind === 'forum.thread.created')!,
      {},
    );
    marker.data = { ...marker.data, thread_id: 999 };
    const res = await postJson(`${app.baseUrl}/internal/v1/events`, [
      internalEvent(tenant, { kind: course.kind, data: { ...course.data, title: 'Republished' } }),
      internalEvent(tenant, { kind: page.kind, data: { ...page.data, title: 'Approved again' } }),
      marker,
    ]);
    expect(res.status).toBe(202);
    await eventually(async () => {
      const rows = await app.ds.query(`SELECT 1 FROM events WHERE tenant = $1 AND subject_id = '999'`, [
        tenant,
      ]);
      return rows.length === 1;
    });
    const rows = await app.ds.query(
      `SELECT type, data->>'title' AS title FROM events WHERE tenant = $1 AND type IN ('course.published', 'page.created') ORDER BY type`,
      [tenant],
    );
    expect(rows).toEqual([
      { type: 'course.published', title: 'Kafka 101' },
      { type: 'page.created', title: 'Getting started' },
    ]);
  });

  it('dead-letters malformed JSON, schema violations, unknown kinds and unknown tenants, and keeps going', async () => {
    const producer = new HeraldProducer(kafka);
    await producer.connect();
    const key = uniqueName('poison');
    const good = internalEvent(tenant, {
      kind: 'forum.thread.created',
      data: { ...FIXTURES[2]!.data, thread_id: 31337 },
    });
    await producer.send(Topics.internal.forum, [
      { key, value: '{"id": ' },
      {
        key,
        value: JSON.stringify(internalEvent(tenant, { kind: 'forum.post.created', data: { post_id: 1 } })),
      },
      { key, value: JSON.stringify(internalEvent(tenant, { kind: 'forum.post.liked', data: {} })) },
      { key, value: JSON.stringify(internalEvent('no-such-tenant', FIXTURES[3]!)) },
      { key, value: JSON.stringify(good) },
    ]);
    await producer.disconnect();
    const dead = await readTopic(kafka, Topics.deadLetter, (r) => r.key === key, 4);
    expect(dead.map((d) => d.headers[DeadLetterHeaders.reason])).toEqual([
      'malformed JSON',
      'data.thread_id is required',
      'unknown kind "forum.post.liked"',
      'unknown tenant "no-such-tenant"',
    ]);
    for (const d of dead) {
      expect(d.headers[DeadLetterHeaders.sourceTopic]).toBe(Topics.internal.forum);
      expect(d.headers[DeadLetterHeaders.consumerGroup]).toBe('herald.translator');
    }
    // The good event behind them still made it through.
    await eventually(
      async () =>
        (await app.ds.query(`SELECT 1 FROM events WHERE tenant = $1 AND subject_id = '31337'`, [tenant]))
          .length === 1,
    );
  });

  it('dead-letters a public event a projection rejects, and projects everything else', async () => {
    const producer = new HeraldProducer(kafka);
    await producer.connect();
    const key = `${tenant}:${uniqueName('reject')}`;
    const event = (id: string, postId: number): string =>
      JSON.stringify({
        id,
        type: 'post.created',
        created_at: '2026-05-28T12:00:00.000000Z',
        data: {
          post_id: postId,
          thread_id: 1,
          forum_slug: 'general',
          title: `post ${postId}`,
          author: { id: 1, username: 'u1' },
        },
      });
    const badId = `evt_${'7'.repeat(26)}`;
    const goodId = `evt_${'6'.repeat(26)}`;
    // A post id beyond bigint: the posts projection's SQL refuses it (SQLSTATE 22003).
    await producer.send(Topics.publicEvents, [
      { key, value: event(badId, 1e20), headers: { 'herald-tenant': tenant } },
      { key, value: event(goodId, 424242), headers: { 'herald-tenant': tenant } },
    ]);
    await producer.disconnect();
    const dead = await readTopic(kafka, Topics.deadLetter, (r) => r.key === key, 1);
    expect(dead).toHaveLength(1);
    expect(dead[0]!.headers[DeadLetterHeaders.consumerGroup]).toBe('herald.projector');
    expect(dead[0]!.headers[DeadLetterHeaders.sourceTopic]).toBe(Topics.publicEvents);
    expect(dead[0]!.headers[DeadLetterHeaders.reason]).toMatch(
      /^projection posts rejected the event: .*out of range/,
    );
    expect(JSON.parse(dead[0]!.value).id).toBe(badId);
    // The event behind it is projected, and the projections that accept the bad one keep it.
    await eventually(
      async () =>
        (await app.ds.query(`SELECT 1 FROM posts WHERE tenant = $1 AND id = 424242`, [tenant])).length === 1,
    );
    await eventually(
      async () =>
        (await app.ds.query(`SELECT id FROM events WHERE id = ANY($1::text[])`, [[badId, goodId]])).length ===
        2,
    );
  });

  it('rebuilds every read model from offset 0 against the running system, identical to the live one', async () => {
    const live = await snapshot(app, tenant);
    const admin = kafka.admin();
    await admin.connect();
    try {
      const replayer = new ProjectionReplayer(app.ds, admin, kafka);
      for (const name of ProjectionReplayer.names('all')) {
        const result = await replayer.replay(name, { offset: 0n });
        expect(result.rebuilt_from_scratch).toBe(true);
        expect(result.ran_in_process).toBe(false); // the running projector did the work
      }
    } finally {
      await admin.disconnect();
    }
    expect(await snapshot(app, tenant)).toEqual(live);
  }, 300_000); // replays the whole shared public topic, every test's events included
});
