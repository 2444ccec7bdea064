/**
 * `GET /api/v1/events` answered before Nest routes it (ListEventsDirectRead), over real
 * HTTP against the real database with the read cache off — the uncached path. Every query
 * the route accepts gets the same page, cursor chain and headers from the direct read as
 * from the route; what the direct read does not accept still gets the route's answer; a
 * read that fails after admission answers the standard 500 envelope.
 */
import { EventsProjection } from '@herald/events';
import { PublicRecord, TenantsRepository } from '@herald/platform';
import { GatewayModule } from '../../apps/gateway/src/gateway.module';
import { ListEventsDirectRead } from '../../libs/events/src/queries/list-events/list-events.direct-read';
import { ListEventsQuery } from '../../libs/events/src/queries/list-events/list-events.query';
import { apiRequest, ApiResponse, mintTestKey, TestKey } from '../support/api-keys';
import { startTestApp, TestApp } from '../support/app';
import { uniqueName } from '../support/infra';
import { at, varied } from './queries-seed';

const EVENTS = 40;
const PARTITIONS = 3;

describe('public API: events read before Nest routes it', () => {
  let t: TestApp;
  const tenant = uniqueName('qdirect');
  let key: TestKey;
  /** The route's handler reads through `execute`; the direct read answers through `answer`. */
  let routed: jest.SpyInstance;
  let answered: jest.SpyInstance;

  const get = (path: string): Promise<ApiResponse> => apiRequest(t.baseUrl, path, { tenant, key: key.key });
  /** The route's own answer: the direct read declines every query meanwhile. */
  async function viaRoute(path: string): Promise<ApiResponse> {
    const decline = jest.spyOn(ListEventsDirectRead.prototype, 'accept').mockReturnValue(undefined);
    try {
      return await get(path);
    } finally {
      decline.mockRestore();
    }
  }
  const withoutId = (res: ApiResponse): unknown => ({
    ...res.body,
    meta: { ...res.body.meta, request_id: 'x' },
  });

  beforeAll(async () => {
    t = await startTestApp([GatewayModule], { readCacheBytes: 0 });
    await new TenantsRepository(t.ds).create(tenant);
    key = await mintTestKey(t.ds, tenant, ['events:read']);
    // Three partitions, interleaved in log time, so a page merges several runs.
    const records: PublicRecord[] = Array.from({ length: EVENTS }, (_, n) => varied(tenant, n, at(n * 1000)));
    const projection = new EventsProjection();
    await t.ds.transaction((em) =>
      projection.apply(
        em,
        records,
        records.map((_, n) => ({
          partition: n % PARTITIONS,
          offset: String(Math.floor(n / PARTITIONS)),
          timestamp: String(1_800_000_000_000 + n),
        })),
      ),
    );
    // A key the gateway has not seen yet is looked up by the route's guard, which caches it.
    expect((await get('/api/v1/events?limit=1')).status).toBe(200);
    routed = jest.spyOn(ListEventsQuery.prototype, 'execute');
    answered = jest.spyOn(ListEventsDirectRead.prototype, 'answer');
  });
  afterEach(() => {
    routed.mockClear();
    answered.mockClear();
  });
  afterAll(async () => {
    routed.mockRestore();
    answered.mockRestore();
    await t.close();
  });

  it.each([
    ['/api/v1/events?limit=7'],
    ['/api/v1/events?limit=7&order=desc'],
    ['/api/v1/events?limit=4&type=post.*'],
    [`/api/v1/events?limit=5&since=${at(5_000)}&until=${at(30_000)}`],
  ])('walks %s page by page exactly as the route does, without the route', async (first) => {
    const walk = async (fetch: (path: string) => Promise<ApiResponse>): Promise<unknown[]> => {
      const pages: unknown[] = [];
      let path = first;
      for (let i = 0; i < 20; i++) {
        const res = await fetch(path);
        expect(res.status).toBe(200);
        expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
        expect(res.body.meta.request_id).toBe(res.headers['x-request-id']);
        expect(res.headers['ratelimit-limit']).toBeDefined();
        pages.push(res.body.data);
        if (!res.body.meta.has_more) break;
        path = `${first}&cursor=${encodeURIComponent(res.body.meta.next_cursor)}`;
      }
      return pages;
    };
    const direct = await walk(get);
    expect(routed).not.toHaveBeenCalled();
    expect(answered).toHaveBeenCalled();
    const route = await walk(viaRoute);
    expect(routed).toHaveBeenCalled();
    expect(direct).toEqual(route);
    expect(direct.flat().length).toBeGreaterThan(0);
  });

  it('answers the same bytes as the route, but for the request id', async () => {
    const path = '/api/v1/events?limit=10';
    const direct = await get(path);
    const route = await viaRoute(path);
    expect(withoutId(direct)).toEqual(withoutId(route));
    // The page's data is JSON Postgres built; it must parse to the events the route serves.
    expect(direct.body.data).toHaveLength(10);
    expect(Object.keys(direct.body.data[0])).toEqual(['id', 'type', 'created_at', 'data']);
  });

  it.each([
    ['a limit out of range', '/api/v1/events?limit=500', 400, 'bad_request'],
    ['an unknown parameter', '/api/v1/events?limit=5&colour=red', 400, 'bad_request'],
    ['a repeated parameter', '/api/v1/events?limit=5&limit=6', 400, 'bad_request'],
    ['a type that matches none', '/api/v1/events?type=nope.*', 400, 'bad_request'],
    [
      'a cursor it did not issue',
      '/api/v1/events?cursor=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      400,
      'invalid_cursor',
    ],
    ['until before since', `/api/v1/events?since=${at(9_000)}&until=${at(1_000)}`, 400, 'bad_request'],
  ])('leaves %s to the route, which answers the error', async (_, path, status, code) => {
    const res = await get(path);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(answered).not.toHaveBeenCalled();
  });

  it('leaves a request without a usable cached credential to the route', async () => {
    const res = await apiRequest(t.baseUrl, '/api/v1/events?limit=1', { tenant, key: `${key.key}x` });
    expect(res.status).toBe(401);
    expect(answered).not.toHaveBeenCalled();
  });

  it('answers a read that fails after admission with the standard 500 envelope', async () => {
    const fail = jest
      .spyOn(ListEventsQuery.prototype, 'read')
      .mockRejectedValueOnce(new Error('connection lost'));
    try {
      const res = await get('/api/v1/events?limit=3');
      expect(res.status).toBe(500);
      expect(res.body.error.code).toBe('internal_error');
      expect(res.body.error.message).toContain(res.headers['x-request-id']);
      expect(res.body.error.message).not.toContain('connection lost');
    } finally {
      fail.mockRestore();
    }
  });
});
