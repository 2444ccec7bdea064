/**
 * `GET /api/v1/users`, `/users/{id}`, `/posts`, `/posts/{id}` over real HTTP behind the
 * real access guard, on rows written by the real users and posts projections: exact
 * item shapes (times, permanent bans, deleted and half-known posts), order by id both
 * ways, keyset pages, cursors bound to their route, 404s and tenant isolation.
 */
import type { PublicRecord } from '@herald/platform';
import { TenantsRepository } from '@herald/platform';
import { GatewayModule } from '../../apps/gateway/src/gateway.module';
import { apiRequest, ApiResponse, mintTestKey, TestKey } from '../support/api-keys';
import { startTestApp, TestApp } from '../support/app';
import { uniqueName } from '../support/infra';
import { at, projectSubjects, record } from './queries-seed';

const PERMANENT = '9999-12-31T23:59:59.999999Z';

function userEvents(tenant: string): PublicRecord[] {
  const u = (id: number, username = `user${id}`) => ({ user: { id, username } });
  return [
    record(tenant, 'user.joined', u(1, 'ada'), at(1)),
    record(tenant, 'user.updated', { user: { id: 1, username: 'ada', display_name: 'Ada L.' } }, at(2)),
    record(tenant, 'user.joined', u(2, 'bob'), at(3)),
    record(
      tenant,
      'moderation.user_banned',
      { user: { id: 2 }, moderator: { id: 9 }, until: '2026-06-01T02:00:00+02:00' },
      at(4),
    ),
    record(tenant, 'user.joined', u(3, 'cy'), at(5)),
    record(tenant, 'moderation.user_banned', { user: { id: 3 }, moderator: { id: 9 }, until: null }, at(6)),
    record(tenant, 'user.joined', u(4, 'di'), at(7)),
    record(tenant, 'moderation.user_banned', { user: { id: 4 }, moderator: { id: 9 }, until: null }, at(8)),
    record(tenant, 'moderation.user_unbanned', { user: { id: 4 }, moderator: { id: 9 } }, at(9)),
    // Banned before Herald saw the user join: what is unknown stays null.
    record(tenant, 'moderation.user_banned', { user: { id: 5 }, moderator: { id: 9 }, until: null }, at(10)),
    ...Array.from({ length: 30 }, (_, i) => record(tenant, 'user.joined', u(100 + i), at(100 + i))),
  ];
}

function postEvents(tenant: string, title: string): PublicRecord[] {
  const created = (id: number) => ({
    post_id: id,
    thread_id: 500 + id,
    forum_slug: 'general',
    title: `${title} ${id}`,
    author: { id: 1, username: 'ada' },
  });
  return [
    record(tenant, 'post.created', created(1), at(1)),
    record(tenant, 'post.edited', { ...created(1), title: 'Edited', editor: { id: 2 } }, at(2)),
    record(tenant, 'post.created', created(2), at(3)),
    record(tenant, 'post.deleted', { post_id: 2, thread_id: 502, deleted_by: { id: 9 } }, at(4)),
    // Edited before Herald saw it created: no author, no creation time.
    record(tenant, 'post.edited', { ...created(3), title: 'Orphan', editor: { id: 2 } }, at(5)),
    ...Array.from({ length: 25 }, (_, i) => record(tenant, 'post.created', created(100 + i), at(100 + i))),
  ];
}

describe('public API: users and posts', () => {
  let t: TestApp;
  const a = uniqueName('qsub-a');
  const b = uniqueName('qsub-b');
  let keyA: TestKey;
  let keyB: TestKey;
  let eventsOnlyA: TestKey;

  const get = (path: string, key: TestKey = keyA, tenant = key.tenant): Promise<ApiResponse> =>
    apiRequest(t.baseUrl, path, { tenant, key: key.key });

  async function walk(path: string, key: TestKey = keyA): Promise<Array<{ id: number }>> {
    const items: Array<{ id: number }> = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 100; pages++) {
      const res = await get(`${path}${cursor ? `&cursor=${cursor}` : ''}`, key);
      expect(res.status).toBe(200);
      items.push(...res.body.data);
      if (!res.body.meta.has_more) return items;
      expect(res.body.data.length).toBeGreaterThan(0);
      cursor = res.body.meta.next_cursor;
    }
    throw new Error('runaway pagination');
  }

  beforeAll(async () => {
    t = await startTestApp([GatewayModule]);
    const tenants = new TenantsRepository(t.ds);
    await tenants.create(a);
    await tenants.create(b);
    keyA = await mintTestKey(t.ds, a, ['users:read', 'posts:read']);
    keyB = await mintTestKey(t.ds, b, ['users:read', 'posts:read']);
    eventsOnlyA = await mintTestKey(t.ds, a, ['events:read']);
    await projectSubjects(t.ds, [...userEvents(a), ...postEvents(a, 'A')]);
    // B reuses the same ids with other content.
    await projectSubjects(t.ds, [
      record(b, 'user.joined', { user: { id: 1, username: 'b-one' } }, at(1)),
      ...postEvents(b, 'B').slice(0, 1),
    ]);
  });
  afterAll(async () => {
    await t.close();
  });

  describe('users', () => {
    it('items are exactly {id, username, display_name, joined_at, banned_until, updated_at}', async () => {
      const res = await get('/api/v1/users?limit=5');
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual([
        {
          id: 1,
          username: 'ada',
          display_name: 'Ada L.',
          joined_at: at(1),
          banned_until: null,
          updated_at: at(2),
        },
        {
          id: 2,
          username: 'bob',
          display_name: null,
          joined_at: at(3),
          banned_until: '2026-06-01T00:00:00.000000Z',
          updated_at: at(4),
        },
        {
          id: 3,
          username: 'cy',
          display_name: null,
          joined_at: at(5),
          banned_until: PERMANENT,
          updated_at: at(6),
        },
        {
          id: 4,
          username: 'di',
          display_name: null,
          joined_at: at(7),
          banned_until: null,
          updated_at: at(9),
        },
        {
          id: 5,
          username: null,
          display_name: null,
          joined_at: null,
          banned_until: PERMANENT,
          updated_at: at(10),
        },
      ]);
      for (const u of res.body.data) {
        expect(Object.keys(u)).toEqual([
          'id',
          'username',
          'display_name',
          'joined_at',
          'banned_until',
          'updated_at',
        ]);
      }
      expect(res.body.meta).toEqual({
        request_id: res.headers['x-request-id'],
        next_cursor: expect.any(String),
        has_more: true,
      });
    });

    it('GET /users/{id} answers one user; unknown is 404 user_not_found; malformed is 400', async () => {
      const res = await get('/api/v1/users/3');
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual({
        id: 3,
        username: 'cy',
        display_name: null,
        joined_at: at(5),
        banned_until: PERMANENT,
        updated_at: at(6),
      });
      const missing = await get('/api/v1/users/999');
      expect(missing.status).toBe(404);
      expect(missing.body.error.code).toBe('user_not_found');
      for (const bad of ['abc', '0', '-1', '1.5', '1e3', '1234567890123456789']) {
        const r = await get(`/api/v1/users/${bad}`);
        expect(r.status).toBe(400);
        expect(r.body.error.details).toEqual([{ field: 'id', reason: 'id must be a positive integer' }]);
      }
    });

    it('pages by id in both orders, never skipping or repeating', async () => {
      const asc = (await walk('/api/v1/users?limit=4')).map((u) => u.id);
      const ids = [1, 2, 3, 4, 5, ...Array.from({ length: 30 }, (_, i) => 100 + i)];
      expect(asc).toEqual(ids);
      const desc = (await walk('/api/v1/users?order=desc&limit=6')).map((u) => u.id);
      expect(desc).toEqual([...ids].reverse());
    });

    it('a kept asc cursor later yields users with higher ids only', async () => {
      const last = await get('/api/v1/users?limit=100');
      expect(last.body.meta.has_more).toBe(false);
      await projectSubjects(t.ds, [
        record(a, 'user.joined', { user: { id: 500, username: 'late' } }, at(500)),
        record(a, 'user.joined', { user: { id: 50, username: 'behind' } }, at(501)),
      ]);
      const since = await get(`/api/v1/users?cursor=${last.body.meta.next_cursor}`);
      expect(since.body.data.map((u: { id: number }) => u.id)).toEqual([500]);
    });
  });

  describe('posts', () => {
    it('items are exactly {id, thread_id, forum_slug, title, author {id, username}, created_at, updated_at, deleted}', async () => {
      const res = await get('/api/v1/posts?limit=3');
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual([
        {
          id: 1,
          thread_id: 501,
          forum_slug: 'general',
          title: 'Edited',
          author: { id: 1, username: 'ada' },
          created_at: at(1),
          updated_at: at(2),
          deleted: false,
        },
        {
          id: 2,
          thread_id: 502,
          forum_slug: 'general',
          title: 'A 2',
          author: { id: 1, username: 'ada' },
          created_at: at(3),
          updated_at: at(4),
          deleted: true,
        },
        {
          id: 3,
          thread_id: 503,
          forum_slug: 'general',
          title: 'Orphan',
          author: null,
          created_at: null,
          updated_at: at(5),
          deleted: false,
        },
      ]);
      for (const p of res.body.data) {
        expect(Object.keys(p)).toEqual([
          'id',
          'thread_id',
          'forum_slug',
          'title',
          'author',
          'created_at',
          'updated_at',
          'deleted',
        ]);
      }
    });

    it('GET /posts/{id}; unknown is 404 post_not_found', async () => {
      const res = await get('/api/v1/posts/2');
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ id: 2, deleted: true });
      const missing = await get('/api/v1/posts/4');
      expect(missing.status).toBe(404);
      expect(missing.body.error.code).toBe('post_not_found');
    });

    it('pages by id in both orders', async () => {
      const ids = [1, 2, 3, ...Array.from({ length: 25 }, (_, i) => 100 + i)];
      expect((await walk('/api/v1/posts?limit=5')).map((p) => p.id)).toEqual(ids);
      expect((await walk('/api/v1/posts?limit=5&order=desc')).map((p) => p.id)).toEqual([...ids].reverse());
    });

    it('refuses the cursor of users, and list filters it does not have', async () => {
      const users = await get('/api/v1/users?limit=1');
      const res = await get(`/api/v1/posts?cursor=${users.body.meta.next_cursor}`);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_cursor');
      expect((await get('/api/v1/posts?type=post.created')).status).toBe(400);
      expect((await get('/api/v1/users?limit=101')).status).toBe(400);
    });
  });

  describe('tenant isolation', () => {
    it('each tenant sees only its own rows, even under the same ids', async () => {
      expect((await get('/api/v1/users/1', keyB)).body.data).toMatchObject({ id: 1, username: 'b-one' });
      expect((await get('/api/v1/users/1')).body.data).toMatchObject({ id: 1, username: 'ada' });
      expect((await walk('/api/v1/users?limit=10', keyB)).map((u) => u.id)).toEqual([1]);
      expect((await walk('/api/v1/posts?limit=10', keyB)).map((p) => p.id)).toEqual([1]);
      expect((await get('/api/v1/users/2', keyB)).status).toBe(404);
      expect((await get('/api/v1/posts/2', keyB)).body.error.code).toBe('post_not_found');
    });

    it("refuses A's cursor on B, and keys without the route's scope", async () => {
      const fromA = await get('/api/v1/users?limit=1');
      const res = await get(`/api/v1/users?cursor=${fromA.body.meta.next_cursor}`, keyB);
      expect(res.body.error.code).toBe('invalid_cursor');
      expect((await get('/api/v1/users', eventsOnlyA)).status).toBe(403);
      expect((await get('/api/v1/posts/1', eventsOnlyA)).status).toBe(403);
    });
  });
});
