/**
 * `GET /api/v1/events` and `/api/v1/events/{id}` over real HTTP, behind the real access
 * guard, on rows written by the real events projection: exact item shapes, filters,
 * both orders, limits, keyset pages, cursors that refuse tampering and reuse elsewhere,
 * and tenant isolation.
 */
import type { PublicRecord } from '@herald/platform';
import { TenantsRepository } from '@herald/platform';
import { GatewayModule } from '../../apps/gateway/src/gateway.module';
import { apiRequest, ApiResponse, mintTestKey, TestKey } from '../support/api-keys';
import { startTestApp, TestApp } from '../support/app';
import { uniqueName } from '../support/infra';
import { WINDOW_BOUND_LIMIT } from '../../libs/events/src/queries/list-events/list-events.sql';
import { at, projectEvents, PUBLIC_TIME, record, varied } from './queries-seed';

const N = 60;

describe('public API: events', () => {
  let t: TestApp;
  const a = uniqueName('qev-a');
  const b = uniqueName('qev-b');
  let keyA: TestKey;
  let keyB: TestKey;
  let usersOnlyA: TestKey;
  let seededA: PublicRecord[];
  let seededB: PublicRecord[];

  const get = (path: string, key: TestKey = keyA, tenant = key.tenant): Promise<ApiResponse> =>
    apiRequest(t.baseUrl, path, { tenant, key: key.key });

  /** Every item of a list, following next_cursor while has_more; the pages too. */
  async function walk(query: string, key: TestKey = keyA): Promise<{ ids: string[]; pages: ApiResponse[] }> {
    const pages: ApiResponse[] = [];
    let cursor: string | undefined;
    for (;;) {
      const sep = query ? '&' : '';
      const res = await get(`/api/v1/events?${query}${cursor ? `${sep}cursor=${cursor}` : ''}`, key);
      expect(res.status).toBe(200);
      pages.push(res);
      if (!res.body.meta.has_more) break;
      cursor = res.body.meta.next_cursor;
      if (pages.length > 200) throw new Error('runaway pagination');
    }
    return { ids: pages.flatMap((p) => p.body.data.map((e: { id: string }) => e.id)), pages };
  }

  /** Ids of a tenant's events in append order, straight from the table. */
  async function appended(tenant: string, where = 'true', params: unknown[] = []): Promise<string[]> {
    const rows: Array<{ id: string }> = await t.ds.query(
      `SELECT id FROM events WHERE tenant = $1 AND ${where} ORDER BY log_time, log_partition, log_offset`,
      [tenant, ...params],
    );
    return rows.map((r) => r.id);
  }

  beforeAll(async () => {
    t = await startTestApp([GatewayModule]);
    const tenants = new TenantsRepository(t.ds);
    await tenants.create(a);
    await tenants.create(b);
    keyA = await mintTestKey(t.ds, a, ['events:read']);
    keyB = await mintTestKey(t.ds, b, ['events:read']);
    usersOnlyA = await mintTestKey(t.ds, a, ['users:read']);
    // created_at is a permutation of the append order, so time filters cannot lean on the feed order.
    seededA = Array.from({ length: N }, (_, n) => varied(a, n, at(((n * 37) % N) * 1000)));
    seededB = Array.from({ length: 10 }, (_, n) => varied(b, n, at(n * 1000)));
    // Interleaved in small batches: the tenants' rows mix, as they do in production.
    for (let i = 0; i < N; i += 6) {
      await projectEvents(t.ds, [...seededA.slice(i, i + 6), ...seededB.slice(i / 6, i / 6 + 1)]);
    }
  });
  afterAll(async () => {
    await t.close();
  });

  describe('items', () => {
    it('are exactly the public events {id, type, created_at, data}, as stored', async () => {
      const res = await get('/api/v1/events?limit=100');
      expect(res.status).toBe(200);
      expect(Object.keys(res.body)).toEqual(['data', 'meta']);
      expect(res.body.data).toHaveLength(N);
      const byId = new Map(seededA.map((r) => [r.event.id, r.event]));
      for (const item of res.body.data) {
        expect(Object.keys(item)).toEqual(['id', 'type', 'created_at', 'data']);
        expect(item.created_at).toMatch(PUBLIC_TIME);
        expect(item).toEqual(byId.get(item.id));
      }
      expect(res.body.meta).toEqual({
        request_id: res.headers['x-request-id'],
        next_cursor: expect.stringMatching(/^[A-Za-z0-9_-]+$/),
        has_more: false,
      });
    });

    it('GET /events/{id} answers one event in the same shape', async () => {
      const wanted = seededA[13]!.event;
      const res = await get(`/api/v1/events/${wanted.id}`);
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual(wanted);
      expect(Object.keys(res.body.data)).toEqual(['id', 'type', 'created_at', 'data']);
      expect(res.body.meta).toEqual({ request_id: res.headers['x-request-id'] });
    });

    it('GET /events/{id} sends the same bytes as the event in a page of the feed', async () => {
      const page = await get('/api/v1/events?limit=100');
      for (const wanted of [seededA[0]!.event, seededA[7]!.event, seededA[N - 1]!.event]) {
        const one = await get(`/api/v1/events/${wanted.id}`);
        const item = one.text.slice('{"data":'.length, one.text.lastIndexOf(',"meta":'));
        expect(item).toBe(JSON.stringify(wanted));
        expect(page.text).toContain(item);
        expect(one.headers['content-type']).toMatch(/^application\/json/);
      }
    });

    it('an unknown event id is 404 event_not_found; a malformed one is 400', async () => {
      const missing = await get('/api/v1/events/evt_01JG5K8HW2X4A8Q3M1T6KQ7BWP');
      expect(missing.status).toBe(404);
      expect(missing.body.error.code).toBe('event_not_found');
      for (const bad of [
        '123',
        'evt_short',
        'evt_01JG5K8HW2X4A8Q3M1T6KQ7BWU',
        'evt_81JG5K8HW2X4A8Q3M1T6KQ7BWP',
      ]) {
        const res = await get(`/api/v1/events/${bad}`);
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('bad_request');
        expect(res.body.error.details).toEqual([{ field: 'id', reason: expect.any(String) }]);
      }
    });
  });

  describe('order and limit', () => {
    it('lists oldest first (append order) by default, 50 per page', async () => {
      const first = await get('/api/v1/events');
      expect(first.body.data).toHaveLength(50);
      expect(first.body.meta.has_more).toBe(true);
      const expected = await appended(a);
      expect(first.body.data.map((e: { id: string }) => e.id)).toEqual(expected.slice(0, 50));
      const asc = await get('/api/v1/events?order=asc');
      expect(asc.body.data).toEqual(first.body.data);
    });

    it('order=desc lists newest first', async () => {
      const { ids } = await walk('order=desc&limit=9');
      expect(ids).toEqual((await appended(a)).reverse());
    });

    it.each([
      ['1', 1],
      ['100', N],
      ['50', 50],
    ])('limit=%s gives %d items', async (limit, n) => {
      const res = await get(`/api/v1/events?limit=${limit}`);
      expect(res.status).toBe(200);
      expect(res.body.data).toHaveLength(n);
    });

    it.each([['0'], ['101'], ['-1'], ['1.5'], ['1e1'], ['abc'], ['']])('limit=%j is 400', async (limit) => {
      const res = await get(`/api/v1/events?limit=${limit}`);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('bad_request');
      expect(res.body.error.details.length).toBeGreaterThan(0);
      for (const d of res.body.error.details)
        expect(d).toEqual({ field: 'limit', reason: expect.any(String) });
    });

    it.each([['order=up'], ['colour=blue'], ['limit=5&limit=6'], ['type=post.created&type=user.joined']])(
      '%s is 400',
      async (query) => {
        const res = await get(`/api/v1/events?${query}`);
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('bad_request');
      },
    );
  });

  describe('filters', () => {
    it('type= an exact type', async () => {
      const { ids, pages } = await walk('type=post.created&limit=4');
      expect(ids).toEqual(await appended(a, `type = 'post.created'`));
      for (const p of pages) for (const e of p.body.data) expect(e.type).toBe('post.created');
    });

    it('type= a prefix wildcard selects every type under it, merged in append order', async () => {
      const { ids } = await walk('type=post.*&limit=5');
      expect(ids).toEqual(await appended(a, `type LIKE 'post.%'`));
      expect(ids.length).toBeGreaterThan(0);
      const desc = await walk('type=post.*&limit=5&order=desc');
      expect(desc.ids).toEqual([...ids].reverse());
    });

    it('a type that matches nothing is 400, not an empty list', async () => {
      for (const type of [
        'post.create',
        'post',
        'posts.*',
        '*',
        'webhook.test',
        'POST.CREATED',
        'post.*.x',
      ]) {
        const res = await get(`/api/v1/events?type=${encodeURIComponent(type)}`);
        expect(res.status).toBe(400);
        expect(res.body.error.details).toEqual([expect.objectContaining({ field: 'type' })]);
      }
    });

    it('since is inclusive and until exclusive, on created_at, in append order', async () => {
      const since = at(20_000);
      const until = at(40_000);
      const { ids } = await walk(`since=${since}&until=${until}&limit=3`);
      expect(ids).toEqual(await appended(a, `created_at >= $2 AND created_at < $3`, [since, until]));
      expect(ids).toContain(seededA.find((r) => r.event.created_at === since)!.event.id);
      expect(ids).not.toContain(seededA.find((r) => r.event.created_at === until)!.event.id);
      expect((await walk(`since=${since}`)).ids).toEqual(await appended(a, `created_at >= $2`, [since]));
      expect((await walk(`until=${until}&order=desc`)).ids).toEqual(
        (await appended(a, `created_at < $2`, [until])).reverse(),
      );
    });

    it('combines type and time filters', async () => {
      const since = at(10_000);
      const { ids } = await walk(`type=post.*&since=${since}&limit=2`);
      expect(ids).toEqual(await appended(a, `type LIKE 'post.%' AND created_at >= $2`, [since]));
    });

    it('a window wider than the part measured up front pages the same', async () => {
      const wide = uniqueName('qev-wide');
      await new TenantsRepository(t.ds).create(wide);
      const key = await mintTestKey(t.ds, wide, ['events:read']);
      // More events in the window than WINDOW_BOUND_LIMIT, and a few before it.
      const n = WINDOW_BOUND_LIMIT + 300;
      await projectEvents(
        t.ds,
        Array.from({ length: n }, (_, i) => varied(wide, i, at(i * 1000))),
      );
      const since = at(150_000);
      const { ids } = await walk(`since=${since}&type=post.*&limit=100`, key);
      expect(ids).toEqual(await appended(wide, `created_at >= $2 AND type LIKE 'post.%'`, [since]));
      expect(ids.length).toBeGreaterThan(WINDOW_BOUND_LIMIT / 5);
    });

    it('an empty window answers no items, and an asc cursor to poll it later', async () => {
      const res = await get(`/api/v1/events?since=${at(0, Date.UTC(2030, 0, 1))}`);
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual([]);
      expect(res.body.meta.has_more).toBe(false);
      expect(typeof res.body.meta.next_cursor).toBe('string');
    });

    it('the same instant in another offset is the same query (same items, same cursors)', async () => {
      const utc = await get(`/api/v1/events?since=2026-05-28T12:00:20Z&limit=4`);
      const plus2 = await get(
        `/api/v1/events?since=${encodeURIComponent('2026-05-28T14:00:20.000+02:00')}&limit=4`,
      );
      expect(plus2.body).toEqual({
        ...utc.body,
        meta: { ...utc.body.meta, request_id: plus2.body.meta.request_id },
      });
      const next = await get(
        `/api/v1/events?since=2026-05-28T12:00:20.000000Z&limit=4&cursor=${plus2.body.meta.next_cursor}`,
      );
      expect(next.status).toBe(200);
    });

    it.each([
      ['since=yesterday', 'since'],
      ['since=2026-02-30T00:00:00Z', 'since'],
      ['until=2026-05-28 12:00:00Z', 'until'],
      [`since=${at(5000)}&until=${at(5000)}`, 'until'],
      [`since=${at(6000)}&until=${at(5000)}`, 'until'],
    ])('%s is 400 on %s', async (query, field) => {
      const res = await get(`/api/v1/events?${query.replace(/ /g, '%20').replace(/\+/g, '%2B')}`);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('bad_request');
      expect(res.body.error.details).toEqual([expect.objectContaining({ field })]);
    });
  });

  describe('pages', () => {
    it.each([['limit=1'], ['limit=7'], ['limit=7&order=desc'], ['limit=100']])(
      'never skip or repeat (%s)',
      async (query) => {
        const { ids, pages } = await walk(query);
        const expected = await appended(a);
        expect(ids).toEqual(query.includes('desc') ? expected.reverse() : expected);
        for (const p of pages.slice(0, -1)) expect(p.body.meta.has_more).toBe(true);
      },
    );

    it('the last asc page keeps a cursor that later yields only what came since', async () => {
      const { pages } = await walk('type=ticket.*&limit=50');
      const last = pages[pages.length - 1]!;
      expect(last.body.meta.has_more).toBe(false);
      const cursor = last.body.meta.next_cursor as string;

      const again = await get(`/api/v1/events?type=ticket.*&cursor=${cursor}`);
      expect(again.body.data).toEqual([]);
      expect(again.body.meta).toMatchObject({ has_more: false, next_cursor: cursor });

      const fresh = [
        record(a, 'ticket.created', { ticket_id: 900, subject: 'New', requester: { id: 3 } }, at(1)),
        record(
          a,
          'post.created',
          { post_id: 901, thread_id: 1, forum_slug: 'g', title: 'x', author: { id: 1, username: 'x' } },
          at(2),
        ),
        record(
          a,
          'ticket.replied',
          { ticket_id: 900, message_id: 1, author: { id: 3, role: 'agent' } },
          at(3),
        ),
      ];
      await projectEvents(t.ds, fresh);
      const since = await get(`/api/v1/events?type=ticket.*&cursor=${cursor}`);
      expect(since.body.data.map((e: { id: string }) => e.id)).toEqual([
        fresh[0]!.event.id,
        fresh[2]!.event.id,
      ]);
      expect(since.body.meta.has_more).toBe(false);
    });

    it('the last desc page ends the walk: no cursor', async () => {
      const res = await get('/api/v1/events?order=desc&limit=100');
      expect(res.body.meta).toMatchObject({ has_more: false, next_cursor: null });
    });
  });

  describe('cursors', () => {
    let cursor: string;
    beforeAll(async () => {
      cursor = (await get('/api/v1/events?type=post.*&limit=2')).body.meta.next_cursor;
    });

    const expectInvalidCursor = (res: ApiResponse): void => {
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_cursor');
      expect(res.body.error.details).toEqual([expect.objectContaining({ field: 'cursor' })]);
    };

    it('a flipped byte anywhere is 400 invalid_cursor', async () => {
      const raw = Buffer.from(cursor, 'base64url');
      for (let i = 0; i < raw.length; i++) {
        const t2 = Buffer.from(raw);
        t2[i] = t2[i]! ^ 0x01;
        expectInvalidCursor(
          await get(`/api/v1/events?type=post.*&limit=2&cursor=${t2.toString('base64url')}`),
        );
      }
    });

    it('is refused for another filter, another order, no filter and another route', async () => {
      for (const query of [
        'type=post.created',
        'type=user.*',
        'type=post.*&order=desc',
        '',
        `type=post.*&since=${at(0)}`,
      ]) {
        expectInvalidCursor(await get(`/api/v1/events?${query}&cursor=${cursor}`));
      }
      const other = await apiRequest(t.baseUrl, `/api/v1/users?cursor=${cursor}`, {
        tenant: a,
        key: (await mintTestKey(t.ds, a, ['users:read'])).key,
      });
      expectInvalidCursor(other);
    });

    it("is refused on another tenant's list, with that tenant's own key", async () => {
      expectInvalidCursor(await get(`/api/v1/events?type=post.*&cursor=${cursor}`, keyB));
    });

    it('accepts a different limit with the same query', async () => {
      const res = await get(`/api/v1/events?type=post.*&limit=3&cursor=${cursor}`);
      expect(res.status).toBe(200);
      expect(res.body.data).toHaveLength(3);
    });

    it('refuses garbage', async () => {
      for (const junk of ['x', 'AAAA', '%00', 'a'.repeat(513), cursor.slice(0, -2)]) {
        const res = await get(`/api/v1/events?type=post.*&cursor=${junk}`);
        expect(res.status).toBe(400);
        expect(['invalid_cursor', 'bad_request']).toContain(res.body.error.code);
      }
    });
  });

  describe('tenant isolation', () => {
    it("A never sees B's events, and B never sees A's", async () => {
      const fromA = (await walk('limit=100')).ids;
      const fromB = (await walk('limit=100', keyB)).ids;
      expect(fromA).toEqual(await appended(a));
      for (const r of seededA) expect(fromA).toContain(r.event.id);
      for (const r of seededB) expect(fromA).not.toContain(r.event.id);
      expect(fromB).toEqual(seededB.map((r) => r.event.id));
    });

    it("B's event id is 404 on A", async () => {
      const res = await get(`/api/v1/events/${seededB[0]!.event.id}`);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('event_not_found');
    });

    it("A's key on B's host is 401, and a key without events:read is 403", async () => {
      expect((await get('/api/v1/events', keyA, b)).status).toBe(401);
      const res = await get('/api/v1/events', usersOnlyA);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('insufficient_scope');
    });
  });
});
