/**
 * The events feed's order and cursors are a function of the public log alone (DESIGN.md
 * §6), on the real broker and database with the real projector and gateway: a rebuild of
 * the events read model from offset 0 serves the same pages and cursors, a poller that
 * keeps polling through a rebuild meets every event exactly once, and pollers meet every
 * event of appends spread over the topic's partitions exactly once.
 */
import { Topics } from '@herald/contracts';
import { ProjectionReplayer } from '@herald/events';
import {
  CursorCodec,
  HeraldProducer,
  PublicHeaders,
  PublicRecord,
  TenantsRepository,
} from '@herald/platform';
import type { Admin } from '@herald/platform';
import { GatewayModule } from '../../apps/gateway/src/gateway.module';
import { ProjectorModule } from '../../apps/projector/src/projector.module';
import { apiRequest, ApiResponse, mintTestKey, TestKey } from '../support/api-keys';
import { startTestApp, TestApp } from '../support/app';
import { eventually, testKafka, uniqueName } from '../support/infra';
import { at, varied } from './queries-seed';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rand = (n: number) => Math.floor(Math.random() * n);

interface Page {
  ids: string[];
  next_cursor: string | null;
  has_more: boolean;
}

describe('events feed positions (real projector, real broker)', () => {
  let t: TestApp;
  let producer: HeraldProducer;
  let admin: Admin;
  let replayer: ProjectionReplayer;
  let subject = 0;

  beforeAll(async () => {
    t = await startTestApp([GatewayModule, ProjectorModule]);
    const kafka = testKafka('events-feed-positions');
    producer = new HeraldProducer(kafka);
    await producer.connect();
    admin = kafka.admin();
    await admin.connect();
    replayer = new ProjectionReplayer(t.ds, admin, kafka);
  });
  afterAll(async () => {
    await admin.disconnect();
    await producer.disconnect();
    await t.close();
  });

  async function tenantWithKey(prefix: string): Promise<TestKey> {
    const tenant = uniqueName(prefix);
    await new TenantsRepository(t.ds).create(tenant);
    return mintTestKey(t.ds, tenant, ['events:read']);
  }

  /** Publishes `n` events of `tenant`, each about a subject of its own, so they spread over the partitions. */
  async function publish(tenant: string, n: number): Promise<string[]> {
    const records: PublicRecord[] = Array.from({ length: n }, () => {
      const s = ++subject;
      return { ...varied(tenant, s, at(rand(10_000) * 1000)), subjectId: String(s) };
    });
    await producer.send(
      Topics.publicEvents,
      records.map((r) => ({
        key: `${r.tenant}:${r.subjectId}`,
        value: JSON.stringify(r.event),
        headers: { [PublicHeaders.tenant]: r.tenant },
      })),
    );
    return records.map((r) => r.event.id);
  }

  const stored = async (tenant: string): Promise<number> =>
    Number((await t.ds.query(`SELECT count(*)::int AS n FROM events WHERE tenant = $1`, [tenant]))[0].n);

  async function page(key: TestKey, query: string, cursor?: string | null): Promise<Page> {
    const res: ApiResponse = await apiRequest(
      t.baseUrl,
      `/api/v1/events?${query}${cursor ? `&cursor=${cursor}` : ''}`,
      { tenant: key.tenant, key: key.key },
    );
    expect(res.status).toBe(200);
    return {
      ids: res.body.data.map((e: { id: string }) => e.id),
      next_cursor: res.body.meta.next_cursor,
      has_more: res.body.meta.has_more,
    };
  }

  /** Every page of a list, following next_cursor while has_more. */
  async function pages(key: TestKey, query: string): Promise<Page[]> {
    const out: Page[] = [];
    let cursor: string | null | undefined;
    for (;;) {
      const p = await page(key, query, cursor);
      out.push(p);
      if (!p.has_more) return out;
      cursor = p.next_cursor;
    }
  }

  /**
   * Polls oldest first like an integrator: next_cursor after every page, a short pause
   * when caught up, until `done()` held before a poll that brought nothing.
   */
  async function poll(key: TestKey, query: string, done: () => boolean): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | null | undefined;
    for (;;) {
      const wasDone = done();
      const p = await page(key, query, cursor);
      ids.push(...p.ids);
      expect(typeof p.next_cursor).toBe('string');
      cursor = p.next_cursor;
      if (p.has_more) continue;
      if (wasDone && p.ids.length === 0) return ids;
      await sleep(5);
    }
  }

  const rebuild = () => replayer.replay('events', { offset: 0n });

  it('a rebuild from offset 0 serves the same pages and cursors, and old cursors continue exactly', async () => {
    const key = await tenantWithKey('feed-rebuild');
    // Projected live round by round, so partitions interleave over time; the rebuild then
    // reads the whole log at once, partition after partition.
    const ids: string[] = [];
    for (let round = 0; round < 8; round++) {
      ids.push(...(await publish(key.tenant, 8)));
      await eventually(async () => (await stored(key.tenant)) === ids.length, 30_000, 20);
    }
    const partitions: Array<{ n: number }> = await t.ds.query(
      `SELECT count(DISTINCT log_partition)::int AS n FROM events WHERE tenant = $1`,
      [key.tenant],
    );
    expect(partitions[0]!.n).toBeGreaterThan(1);

    const queries = [
      'limit=7',
      'limit=5&order=desc',
      'limit=4&type=post.*',
      `limit=6&since=${at(3_000_000)}`,
    ];
    const before = new Map<string, Page[]>();
    for (const q of queries) before.set(q, await pages(key, q));
    expect(new Set(before.get('limit=7')!.flatMap((p) => p.ids))).toEqual(new Set(ids));

    const result = await rebuild();
    expect(result).toMatchObject({ projection: 'events', rebuilt_from_scratch: true });
    expect(await stored(key.tenant)).toBe(ids.length);

    for (const q of queries) {
      const was = before.get(q)!;
      expect(await pages(key, q)).toEqual(was);
      // Each cursor issued before the rebuild answers the page that followed it.
      for (let i = 0; i + 1 < was.length; i++) {
        expect(await page(key, q, was[i]!.next_cursor)).toEqual(was[i + 1]);
      }
    }
  }, 180_000);

  it('a cursor of the sequence-ordered feed (format v1) is 400 invalid_cursor, never a position', async () => {
    const key = await tenantWithKey('feed-v1');
    await publish(key.tenant, 3);
    await eventually(async () => (await stored(key.tenant)) === 3, 30_000);
    // Exactly what the feed issued before positions: the codec's v1 cursor for this query.
    const v1 = t.app
      .get(CursorCodec)
      .encode({ tenant: key.tenant, route: 'GET /api/v1/events', query: { order: 'asc' } }, 17n);
    const res = await apiRequest(t.baseUrl, `/api/v1/events?cursor=${v1}`, {
      tenant: key.tenant,
      key: key.key,
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_cursor');
    expect(res.body.error.message).toMatch(/format this server no longer reads/);
  });

  it('a poller polling through a rebuild meets every event exactly once', async () => {
    const key = await tenantWithKey('feed-poll-rebuild');
    const published = await publish(key.tenant, 30);
    await eventually(async () => (await stored(key.tenant)) === published.length, 30_000);

    let done = false;
    const polled = poll(key, 'limit=5', () => done);
    const work = (async () => {
      for (let round = 0; round < 4; round++) {
        published.push(...(await publish(key.tenant, 6 + rand(6))));
        await sleep(rand(50));
      }
      const before = await stored(key.tenant);
      const rebuilt = rebuild();
      // The read model is emptied and refilled while the poller keeps polling.
      await eventually(async () => (await stored(key.tenant)) < before, 10_000, 2);
      for (let round = 0; round < 4; round++) {
        published.push(...(await publish(key.tenant, 6 + rand(6))));
        await sleep(rand(50));
      }
      await rebuilt;
      await eventually(async () => (await stored(key.tenant)) === published.length, 30_000);
    })();
    await work.finally(() => {
      done = true;
    });
    const ids = await polled;

    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual([...published].sort());
  }, 180_000);

  it('a newest-first walk during appends over several partitions is a snapshot of its first page, in order', async () => {
    const key = await tenantWithKey('feed-desc');
    const first = await publish(key.tenant, 40);
    await eventually(async () => (await stored(key.tenant)) === first.length, 30_000);
    let stop = false;
    const published = [...first];
    const publisher = (async () => {
      while (!stop) {
        published.push(...(await publish(key.tenant, 1 + rand(5))));
        await sleep(rand(10));
      }
    })();
    await eventually(async () => (await stored(key.tenant)) > first.length, 30_000, 5);
    const visible = async (): Promise<string[]> => {
      const rows: Array<{ id: string }> = await t.ds.query(`SELECT id FROM events WHERE tenant = $1`, [
        key.tenant,
      ]);
      return rows.map((r) => r.id);
    };
    const before = await visible();
    const walked: string[] = [];
    let cursor: string | null | undefined;
    let after: string[] = [];
    for (;;) {
      const p = await page(key, 'limit=4&order=desc', cursor);
      if (cursor === undefined) after = await visible();
      walked.push(...p.ids);
      if (!p.has_more) break;
      cursor = p.next_cursor;
      await sleep(rand(15));
    }
    stop = true;
    await publisher;
    await eventually(async () => (await stored(key.tenant)) === published.length, 30_000);

    expect(new Set(walked).size).toBe(walked.length);
    // Everything visible before the first page, nothing that became visible after it.
    for (const id of before) expect(walked).toContain(id);
    for (const id of walked) expect(after).toContain(id);
    const order: Array<{ id: string }> = await t.ds.query(
      `SELECT id FROM events WHERE tenant = $1 ORDER BY log_time DESC, log_partition DESC, log_offset DESC`,
      [key.tenant],
    );
    const ranks = new Map(order.map((r, i) => [r.id, i]));
    const positions = walked.map((id) => ranks.get(id)!);
    expect(positions).toEqual([...positions].sort((x, y) => x - y));
  }, 180_000);

  it('pollers meet every event of concurrent appends over several partitions exactly once', async () => {
    const key = await tenantWithKey('feed-concurrent');
    const published: string[] = [];
    let done = false;
    const publisher = async (): Promise<void> => {
      for (let round = 0; round < 12; round++) {
        published.push(...(await publish(key.tenant, 1 + rand(8))));
        await sleep(rand(30));
      }
    };
    const pollers = [poll(key, 'limit=3', () => done), poll(key, 'limit=8', () => done)];
    const typed = poll(key, 'limit=4&type=post.*', () => done);
    await Promise.all([publisher(), publisher(), publisher()]);
    await eventually(async () => (await stored(key.tenant)) === published.length, 30_000);
    done = true;

    const partitions: Array<{ n: number }> = await t.ds.query(
      `SELECT count(DISTINCT log_partition)::int AS n FROM events WHERE tenant = $1`,
      [key.tenant],
    );
    expect(partitions[0]!.n).toBeGreaterThan(1);
    for (const ids of await Promise.all(pollers)) {
      expect(new Set(ids).size).toBe(ids.length);
      expect([...ids].sort()).toEqual([...published].sort());
    }
    const posts: Array<{ id: string }> = await t.ds.query(
      `SELECT id FROM events WHERE tenant = $1 AND type LIKE 'post.%'`,
      [key.tenant],
    );
    const typedIds = await typed;
    expect(new Set(typedIds).size).toBe(typedIds.length);
    expect([...typedIds].sort()).toEqual(posts.map((r) => r.id).sort());
    // Once everything is projected, the feed read from the start is the log's order.
    const order: Array<{ id: string }> = await t.ds.query(
      `SELECT id FROM events WHERE tenant = $1 ORDER BY log_time, log_partition, log_offset`,
      [key.tenant],
    );
    expect((await pages(key, 'limit=9')).flatMap((p) => p.ids)).toEqual(order.map((r) => r.id));
  }, 180_000);
});
