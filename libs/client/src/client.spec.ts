import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeraldClient } from './client';
import { HeraldApiError } from './errors';

interface Seen {
  url: string;
  host: string | undefined;
  authorization: string | undefined;
  body: string;
}

const EVENTS = Array.from({ length: 5 }, (_, i) => ({
  id: `evt_${i}`,
  type: 'post.created',
  created_at: 'x',
  data: {},
}));

describe('HeraldClient over HTTP', () => {
  let server: http.Server;
  let port: number;
  let seen: Seen[];
  let events: typeof EVENTS;
  let rateLimited: number;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({
          url: req.url ?? '',
          host: req.headers.host,
          authorization: req.headers.authorization,
          body,
        });
        const url = new URL(req.url ?? '/', 'http://x');
        const send = (status: number, json: unknown, headers: Record<string, string> = {}) => {
          res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': 'req_h', ...headers });
          res.end(JSON.stringify(json));
        };
        if (url.pathname === '/api/v1/events') {
          if (rateLimited > 0) {
            rateLimited--;
            return send(
              429,
              { error: { code: 'rate_limited', message: 'slow' }, meta: { request_id: 'req_r' } },
              { 'retry-after': '0' },
            );
          }
          const cursor = url.searchParams.get('cursor') ?? 'c0';
          if (!cursor.startsWith('c')) {
            return send(400, {
              error: { code: 'invalid_cursor', message: 'no', details: null },
              meta: { request_id: 'req_c' },
            });
          }
          const start = Number(cursor.slice(1));
          const limit = Number(url.searchParams.get('limit') ?? 50);
          const page = events.slice(start, start + limit);
          const end = start + page.length;
          return send(200, {
            data: page,
            meta: { request_id: 'r', next_cursor: `c${end}`, has_more: end < events.length },
          });
        }
        if (url.pathname === '/api/v1/webhooks' && req.method === 'POST') {
          return send(201, { data: { id: 'ep_1', ...JSON.parse(body) }, meta: { request_id: 'r' } });
        }
        res.writeHead(502);
        res.end('<html>bad gateway</html>');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    seen = [];
    events = [...EVENTS];
    rateLimited = 0;
  });

  it('dials a *.localhost base URL on loopback and sends its name as Host, with the key', async () => {
    const client = new HeraldClient({ baseUrl: `http://demo.localhost:${port}`, apiKey: 'mc_test_k' });
    await client.listEvents({ limit: 2, type: 'post.*' });
    expect(seen[0]).toMatchObject({
      url: '/api/v1/events?limit=2&type=post.*',
      host: `demo.localhost:${port}`,
      authorization: 'Bearer mc_test_k',
    });
  });

  it('repeats the key of an array query parameter and leaves out unset ones', async () => {
    const client = new HeraldClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey: 'k' });
    await client.listEvents({ type: ['post.created', 'user.joined'] as never, cursor: undefined, limit: 1 });
    expect(seen[0]!.url).toBe('/api/v1/events?type=post.created&type=user.joined&limit=1');
  });

  it('sends an explicit Host override, and the URL host otherwise', async () => {
    await new HeraldClient({
      baseUrl: `http://127.0.0.1:${port}`,
      apiKey: 'k',
      host: 'support.example.test',
    }).listEvents();
    await new HeraldClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey: 'k' }).listEvents();
    expect(seen.map((s) => s.host)).toEqual(['support.example.test', `127.0.0.1:${port}`]);
  });

  it('sends bodies as JSON and answers data with meta', async () => {
    const client = new HeraldClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey: 'k' });
    const res = await client.createWebhook({ url: 'https://example.com/h', events: ['post.*'] });
    expect(res).toEqual({
      data: { id: 'ep_1', url: 'https://example.com/h', events: ['post.*'] },
      meta: { request_id: 'r' },
    });
  });

  it('walks every page and resumes from the cursor it ends with', async () => {
    const client = new HeraldClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey: 'k' });
    const walker = client.walkEvents({ limit: 2 });
    expect((await walker.all()).map((e) => e.id)).toEqual(EVENTS.map((e) => e.id));
    expect(walker.cursor).toBe('c5');
    events.push({ id: 'evt_5', type: 'post.created', created_at: 'x', data: {} });
    expect((await client.walkEvents({ cursor: walker.cursor, limit: 2 }).all()).map((e) => e.id)).toEqual([
      'evt_5',
    ]);
  });

  it('throws the error envelope as a typed error', async () => {
    const client = new HeraldClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey: 'k' });
    const err = await client.listEvents({ cursor: 'forged' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HeraldApiError);
    expect(err).toMatchObject({ status: 400, code: 'invalid_cursor', requestId: 'req_c', message: 'no' });
    const other = await client.getWebhook('ep_x').catch((e: unknown) => e);
    expect(other).toMatchObject({ status: 502, code: 'unexpected_response', requestId: undefined });
  });

  it('waits out Retry-After on 429 only when asked to', async () => {
    rateLimited = 1;
    const plain = new HeraldClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey: 'k' });
    await expect(plain.listEvents()).rejects.toMatchObject({ code: 'rate_limited', retryAfter: 0 });
    rateLimited = 1;
    const patient = new HeraldClient({
      baseUrl: `http://127.0.0.1:${port}`,
      apiKey: 'k',
      retryRateLimited: true,
    });
    expect((await patient.listEvents()).data).toHaveLength(5);
  });
});
