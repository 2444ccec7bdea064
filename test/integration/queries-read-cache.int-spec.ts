/**
 * The gateway's read cache over real HTTP against the real database: a repeated public
 * read is answered from memory with its own request id, every access check still runs
 * on it, a commit to a tenant's read models (announced by the database's triggers) is
 * seen by the next reads, other tenants keep theirs, and nothing is cached while the
 * change listener is down.
 */
import { AccessLifecycle, ApiKeysRepository, ReadCache, readCacheKey } from '@herald/access';
import { TenantsRepository } from '@herald/platform';
import { GatewayModule } from '../../apps/gateway/src/gateway.module';
import { apiRequest, ApiResponse, mintTestKey, TestKey } from '../support/api-keys';
import { startTestApp, TestApp } from '../support/app';
import { eventually, uniqueName } from '../support/infra';
import { at, projectEvents, projectSubjects, record, varied } from './queries-seed';

describe('public API: read cache', () => {
  let t: TestApp;
  let cache: ReadCache;
  const a = uniqueName('qrc-a');
  const b = uniqueName('qrc-b');
  let keyA: TestKey;
  let keyB: TestKey;

  const get = (path: string, key: TestKey | null = keyA, tenant = key?.tenant ?? a): Promise<ApiResponse> =>
    apiRequest(t.baseUrl, path, { tenant, ...(key ? { key: key.key } : {}) });
  const ids = (res: ApiResponse): string[] => res.body.data.map((e: { id: string }) => e.id);

  beforeAll(async () => {
    t = await startTestApp([GatewayModule]);
    cache = t.app.get(ReadCache);
    await eventually(async () => cache.isTrusted());
    const tenants = new TenantsRepository(t.ds);
    await tenants.create(a);
    await tenants.create(b);
    keyA = await mintTestKey(t.ds, a, ['events:read', 'users:read', 'posts:read']);
    keyB = await mintTestKey(t.ds, b, ['events:read']);
    await projectEvents(t.ds, [
      ...Array.from({ length: 12 }, (_, n) => varied(a, n, at(n * 1000))),
      ...Array.from({ length: 3 }, (_, n) => varied(b, n, at(n * 1000))),
    ]);
    // The seed's change notices must be heard before the first read: one arriving while that
    // read is served would (rightly) keep its answer out of the cache.
    const access = t.app.get(AccessLifecycle);
    await eventually(() => access.heardAllChanges());
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers a repeated read from memory, byte for byte, with its own request id', async () => {
    const path = '/api/v1/events?limit=5';
    const first = await get(path);
    expect(first.status).toBe(200);
    expect(cache.get(a, readCacheKey(a, path))).toBeDefined();
    const second = await get(path);
    expect(second.status).toBe(200);
    expect(second.headers['x-request-id']).not.toBe(first.headers['x-request-id']);
    expect(second.body.meta.request_id).toBe(second.headers['x-request-id']);
    expect({ ...second.body, meta: { ...second.body.meta, request_id: 'x' } }).toEqual({
      ...first.body,
      meta: { ...first.body.meta, request_id: 'x' },
    });
    expect(second.headers['content-type']).toBe(first.headers['content-type']);
    expect(Number(second.headers['ratelimit-remaining'])).toBe(
      Number(first.headers['ratelimit-remaining']) - 1,
    );

    // Served from memory: a row written with the announcement switched off stays unseen…
    const all = '/api/v1/events?limit=100';
    await get(all);
    const hidden = varied(a, 100, at(900_000));
    await t.ds.query(`ALTER TABLE events DISABLE TRIGGER events_inserted_notify`);
    try {
      await projectEvents(t.ds, [hidden]);
    } finally {
      await t.ds.query(`ALTER TABLE events ENABLE TRIGGER events_inserted_notify`);
    }
    expect(ids(await get(all))).not.toContain(hidden.event.id);
    // …until the tenant's read models are announced as changed: from then on, at once.
    await t.ds.query(`SELECT pg_notify('herald_read_models', $1)`, [a]);
    expect(ids(await get(all))).toContain(hidden.event.id);
  });

  it('serves the next reads what a commit changed, and keeps other tenants cached', async () => {
    const path = '/api/v1/events?limit=100&order=desc';
    const before = await get(path);
    const pathB = '/api/v1/events?limit=100';
    const beforeB = await get(pathB, keyB);
    expect(ids(beforeB)).toHaveLength(3);
    expect(cache.get(b, readCacheKey(b, pathB))).toBeDefined();

    const added = varied(a, 200, at(950_000));
    await projectEvents(t.ds, [added]);
    const after = await eventually(
      async () => {
        const res = await get(path);
        return ids(res)[0] === added.event.id ? res : undefined;
      },
      5000,
      20,
    );
    expect(ids(after).slice(1)).toEqual(ids(before));
    // Tenant b's page was not touched by a's commit.
    expect(cache.get(b, readCacheKey(b, pathB))).toBeDefined();
    expect((await get(pathB, keyB)).body).toEqual({ ...beforeB.body, meta: expect.any(Object) });
  });

  it('never answers a read with a page older than a commit its client has seen', async () => {
    // The integrator's poll: keep the last cursor, ask again for what came since.
    const last = await get('/api/v1/events?limit=100');
    const cursor: string = last.body.meta.next_cursor;
    const since = `/api/v1/events?limit=100&cursor=${cursor}`;
    const seen: string[] = ids(await get(since));
    expect(seen).toEqual([]);
    for (let i = 0; i < 25; i++) {
      const added = varied(a, 300 + i, at(960_000 + i));
      await projectEvents(t.ds, [added]);
      seen.push(added.event.id);
      // Asked right after the commit returned, with no wait: the page must include it.
      expect(ids(await get(since))).toEqual(seen);
    }
  });

  it('runs every access check on a cached answer', async () => {
    const path = '/api/v1/events?limit=3';
    expect((await get(path)).status).toBe(200);
    expect((await get(path)).status).toBe(200);
    expect(cache.get(a, readCacheKey(a, path))).toBeDefined();

    // No key, another tenant's key, a key without the scope, an unknown tenant.
    const none = await get(path, null, a);
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('invalid_api_key');
    expect((await get(path, keyB, a)).body.error.code).toBe('invalid_api_key');
    const usersOnly = await mintTestKey(t.ds, a, ['users:read']);
    await get(path, usersOnly); // looked up once, then cached
    const refused = await get(path, usersOnly);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('insufficient_scope');
    expect((await get(path, keyA, uniqueName('qrc-none'))).body.error.code).toBe('tenant_not_found');

    // Revocation takes effect on the next request.
    const repo = new ApiKeysRepository(t.ds);
    const revocable = await repo.create({ tenant: a, scopes: ['events:read'], actor: 'test' });
    const asRevocable = { id: revocable.id, key: revocable.key, tenant: a };
    expect((await get(path, asRevocable)).status).toBe(200);
    expect((await get(path, asRevocable)).status).toBe(200);
    await repo.revoke(a, revocable.id, 'test');
    expect((await get(path, asRevocable)).body.error.code).toBe('invalid_api_key');

    // The rate limit counts cached answers and refuses past it, with its headers.
    const limited = await mintTestKey(t.ds, a, ['events:read'], { ratePerMinute: 3 });
    const seen = [];
    for (let i = 0; i < 4; i++) seen.push(await get(path, limited));
    expect(seen.map((r) => r.status)).toEqual([200, 200, 200, 429]);
    expect(seen.map((r) => r.headers['ratelimit-remaining'])).toEqual(['2', '1', '0', '0']);
    expect(seen[3]!.body.error.code).toBe('rate_limited');
    expect(Number(seen[3]!.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('drops users and posts pages on their changes, and every page on a rebuild', async () => {
    await projectSubjects(t.ds, [
      record(a, 'user.joined', { user: { id: 1, username: 'ada' } }, at(1)),
      record(
        a,
        'post.created',
        { post_id: 1, thread_id: 1, forum_slug: 'general', title: 'One', author: { id: 1, username: 'ada' } },
        at(2),
      ),
    ]);
    const users = await eventually(
      async () => {
        const res = await get('/api/v1/users');
        return res.body.data.length === 1 ? res : undefined;
      },
      5000,
      20,
    );
    expect(users.body.data[0].username).toBe('ada');
    expect((await get('/api/v1/posts/1')).body.data.title).toBe('One');
    expect(cache.get(a, readCacheKey(a, '/api/v1/posts/1'))).toBeDefined();

    await projectSubjects(t.ds, [
      record(
        a,
        'post.edited',
        {
          post_id: 1,
          thread_id: 1,
          forum_slug: 'general',
          title: 'Two',
          author: { id: 1, username: 'ada' },
          editor: { id: 1 },
        },
        at(3),
      ),
    ]);
    await eventually(async () => (await get('/api/v1/posts/1')).body.data.title === 'Two', 5000, 20);

    // A rebuild from offset 0 empties the tables: no tenant keeps a page.
    await get('/api/v1/events?limit=5', keyB);
    await t.ds.query(`TRUNCATE users`);
    await eventually(async () => (await get('/api/v1/users')).body.data.length === 0, 5000, 20);
    expect(cache.get(b, readCacheKey(b, '/api/v1/events?limit=5'))).toBeUndefined();
  });

  it('keeps nothing while the change listener is down, and caches again once it is back', async () => {
    const path = '/api/v1/events?limit=7';
    await t.ds.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE application_name = 'herald-access-listener' AND datname = current_database()`,
    );
    await eventually(async () => !cache.isTrusted());
    expect(cache.size).toBe(0);
    expect((await get(path)).status).toBe(200);
    expect((await get(path)).status).toBe(200);
    expect(cache.size).toBe(0);

    await eventually(async () => cache.isTrusted());
    await get(path);
    expect(cache.get(a, readCacheKey(a, path))).toBeDefined();
  });
});
