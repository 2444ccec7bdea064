/**
 * The envelope and X-Request-Id on every answer, errors included, over real HTTP:
 * validation (with field details), unknown routes, 405 + Allow (a QUERY without a body
 * included), oversized, non-JSON, malformed and null bodies, bad URLs, unparsable HTTP,
 * domain errors and the opaque 500 whose stack is logged exactly once.
 */
import { Body, Controller, Delete, Get, Module, Param, Post, Query } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import * as net from 'node:net';
import { DomainError, HealthModule } from '@herald/platform';
import { BareApp, startBareApp } from '../support/bare-http-app';

class AuthorDto {
  @IsInt()
  @Min(1)
  id!: number;
}

class CreateWidgetDto {
  @IsString()
  @MaxLength(5)
  name!: string;

  @IsInt()
  @Min(1)
  count!: number;

  @ValidateNested()
  @Type(() => AuthorDto)
  author!: AuthorDto;
}

class ListWidgetsDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Max(100)
  limit?: number;
}

@Controller('widgets')
class WidgetsController {
  @Get()
  list(@Query() q: ListWidgetsDto): { limit: number } {
    return { limit: q.limit ?? 50 };
  }

  @Post()
  create(@Body() body: CreateWidgetDto): CreateWidgetDto {
    return body;
  }

  @Get(':id')
  one(@Param('id') id: string): { id: string } {
    return { id };
  }

  @Delete(':id')
  remove(@Param('id') id: string): { deleted: string } {
    return { deleted: id };
  }

  @Get('fail/unexpected')
  unexpected(): never {
    throw new Error('kaboom: database password is hunter2');
  }

  @Get('fail/domain')
  domain(): never {
    throw new DomainError('widget_jammed', 'the widget is jammed', 409, { widget: 7 });
  }
}

@Module({ imports: [HealthModule], controllers: [WidgetsController] })
class FixtureModule {}

/** A request held open while the server starts closing, so a second one arrives during the drain. */
const slow = { entered: () => undefined as void, release: () => undefined as void };

@Controller('slow')
class SlowController {
  @Get()
  async wait(): Promise<{ done: boolean }> {
    const gate = new Promise<void>((resolve) => (slow.release = resolve));
    slow.entered();
    await gate;
    return { done: true };
  }
}

@Module({ controllers: [SlowController] })
class SlowModule {}

const REQ_ID = /^req_[0-9a-f]{32}$/;

interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

describe('HTTP errors: the envelope on every path (real HTTP)', () => {
  let h: BareApp;

  beforeAll(async () => {
    h = await startBareApp(FixtureModule, { bodyLimitBytes: 1024 });
  });
  afterAll(async () => {
    await h.close();
  });

  async function call(path: string, init: RequestInit = {}): Promise<Answer> {
    const res = await fetch(`${h.url}${path}`, init);
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  }

  /** Every error answer: JSON, the code, a message, and one request id in header and body. */
  function expectError(res: Answer, status: number, code: string): void {
    expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(typeof res.body.error.message).toBe('string');
    expect(res.body.meta).toEqual({ request_id: res.headers.get('x-request-id') });
    expect(Object.keys(res.body).sort()).toEqual(['error', 'meta']);
  }

  it('wraps a success and echoes a sane X-Request-Id', async () => {
    const res = await call('/widgets?limit=7', { headers: { 'x-request-id': 'client-abc.123' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('client-abc.123');
    expect(res.body).toEqual({ data: { limit: 7 }, meta: { request_id: 'client-abc.123' } });
  });

  it('replaces an X-Request-Id that is not sane, on errors too', async () => {
    const res = await call('/nowhere', { headers: { 'x-request-id': 'has spaces <and> tags' } });
    expectError(res, 404, 'not_found');
    expect(res.headers.get('x-request-id')).toMatch(REQ_ID);
  });

  it('400 bad_request with {field, reason} details for every failed rule, nested by path', async () => {
    const res = await call('/widgets', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'v-1' },
      body: JSON.stringify({ name: 'too long', count: 0, author: { id: 'x' }, extra: true }),
    });
    expectError(res, 400, 'bad_request');
    expect(res.body.meta.request_id).toBe('v-1');
    const details = res.body.error.details as Array<{ field: string; reason: string }>;
    expect(details.map((d) => d.field).sort()).toEqual(
      ['author.id', 'author.id', 'count', 'extra', 'name'].sort(),
    );
    for (const d of details) expect(d.reason).toEqual(expect.any(String));
    expect(details).toContainEqual({ field: 'extra', reason: 'property extra should not exist' });
    expect(res.body.error.message).toContain('name');
    // Rejected values are not echoed back.
    expect(JSON.stringify(res.body)).not.toContain('too long');
  });

  it('400 bad_request for a query parameter out of range', async () => {
    const res = await call('/widgets?limit=500');
    expectError(res, 400, 'bad_request');
    expect(res.body.error.details).toEqual([
      { field: 'limit', reason: 'limit must not be greater than 100' },
    ]);
  });

  it('404 not_found for an unknown route, whatever the method', async () => {
    for (const method of ['GET', 'POST', 'PATCH']) {
      const res = await call('/no/such/route?x=1', { method });
      expectError(res, 404, 'not_found');
      expect(res.body.error.message).toBe(`no route matches ${method} /no/such/route`);
    }
  });

  it('405 method_not_allowed with Allow when the path exists for other methods', async () => {
    const res = await call('/widgets/42', { method: 'PUT' });
    expectError(res, 405, 'method_not_allowed');
    expect(res.headers.get('allow')).toBe('DELETE, GET, HEAD');
    const coll = await call('/widgets?limit=1', { method: 'PATCH' });
    expectError(coll, 405, 'method_not_allowed');
    expect(coll.headers.get('allow')).toBe('GET, HEAD, POST');
  });

  it('405 or 404 for an unrouted method whose body Fastify would check first (QUERY without Content-Type)', async () => {
    const known = await call('/widgets/42', { method: 'QUERY' });
    expectError(known, 405, 'method_not_allowed');
    expect(known.headers.get('allow')).toBe('DELETE, GET, HEAD');
    expectError(await call('/no/such/route', { method: 'QUERY' }), 404, 'not_found');
    const broken = await call('/no/such/route', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name": ',
    });
    expectError(broken, 404, 'not_found');
  });

  it('400 bad_request for a body of JSON null, which is not an object', async () => {
    const res = await call('/widgets', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'null',
    });
    expectError(res, 400, 'bad_request');
    expect(res.body.error.details).toEqual([{ field: 'body', reason: 'the body must be a JSON object' }]);
  });

  it('413 payload_too_large for a body over the limit', async () => {
    const res = await call('/widgets', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x'.repeat(5000) }),
    });
    expectError(res, 413, 'payload_too_large');
  });

  it('415 unsupported_media_type for anything but application/json', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      const res = await call('/widgets', { method: 'POST', headers: { 'content-type': type }, body: 'a=1' });
      expectError(res, 415, 'unsupported_media_type');
    }
  });

  it('400 invalid_json for a malformed JSON body', async () => {
    for (const body of ['{"name": ', 'not json', '{"a":1}}', '{"__proto__": {"x": 1}}', '\t', ' \r\n ']) {
      const res = await call('/widgets', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expectError(res, 400, 'invalid_json');
    }
  });

  it('takes an empty JSON body as no body, left to the DTO to refuse', async () => {
    const res = await call('/widgets', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '',
    });
    expectError(res, 400, 'bad_request');
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toEqual(
      expect.arrayContaining(['name', 'count']),
    );
  });

  it('400 bad_request for a path that is not valid percent-encoding', async () => {
    const res = await call('/widgets/%E0%A4%A');
    expectError(res, 400, 'bad_request');
  });

  it('passes a domain error through with its code, status and details', async () => {
    const res = await call('/widgets/fail/domain');
    expectError(res, 409, 'widget_jammed');
    expect(res.body.error).toEqual({
      code: 'widget_jammed',
      message: 'the widget is jammed',
      details: { widget: 7 },
    });
  });

  it('answers an unexpected error with an opaque 500 and logs its stack exactly once', async () => {
    const before = h.logs.length;
    const res = await call('/widgets/fail/unexpected', { headers: { 'x-request-id': 'boom-1' } });
    expectError(res, 500, 'internal_error');
    expect(res.body.error.message).toBe('internal error; quote request id boom-1');
    expect(JSON.stringify(res.body)).not.toContain('hunter2');
    await new Promise((r) => setTimeout(r, 50));
    const mentions = h.logs.slice(before).filter((l) => JSON.stringify(l).includes('kaboom'));
    expect(mentions).toHaveLength(1);
    const entry = mentions[0] as { level: string; reqId: string; err: { stack: string } };
    expect(entry.level).toBe('error');
    expect(entry.reqId).toBe('boom-1');
    expect(entry.err.stack).toContain('WidgetsController.unexpected');
  });

  it('logs nothing at error level for client errors', async () => {
    const before = h.logs.length;
    await call('/widgets?limit=500');
    await call('/nowhere');
    await new Promise((r) => setTimeout(r, 50));
    expect(h.logs.slice(before).filter((l) => l.level === 'error')).toEqual([]);
  });

  it('answers bytes that are not HTTP with the envelope and a fresh request id', async () => {
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(h.port, '127.0.0.1', () => socket.write('GARBAGE\r\n\r\n'));
      let out = '';
      socket.on('data', (d: Buffer) => (out += d.toString()));
      socket.on('close', () => resolve(out));
      socket.on('error', reject);
    });
    const [head = '', body = ''] = raw.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 Bad Request/);
    const id = /x-request-id: (\S+)/i.exec(head)?.[1];
    expect(id).toMatch(REQ_ID);
    expect(JSON.parse(body)).toEqual({
      error: { code: 'bad_request', message: expect.any(String) },
      meta: { request_id: id },
    });
  });

  it('answers 503 service_unavailable with the envelope while draining', async () => {
    const draining = await startBareApp(SlowModule);
    const socket = net.connect(draining.port, '127.0.0.1');
    let out = '';
    socket.on('data', (d: Buffer) => (out += d.toString()));
    const ended = new Promise((resolve) => socket.on('close', resolve));
    const inside = new Promise<void>((resolve) => (slow.entered = resolve));
    socket.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
    await inside;
    const closed = draining.close();
    await new Promise((r) => setTimeout(r, 50));
    // Pipelined on the busy connection: its headers arrive after the close began.
    socket.write('GET /slow HTTP/1.1\r\nHost: x\r\nX-Request-Id: late-1\r\n\r\n');
    await new Promise((r) => setTimeout(r, 50));
    slow.release();
    await Promise.race([ended, new Promise((r) => setTimeout(r, 5000))]);
    await closed;
    socket.destroy();
    const second = out.split('HTTP/1.1 ')[2] ?? '';
    expect(second).toMatch(/^503 Service Unavailable/);
    expect(second).toMatch(/x-request-id: late-1/i);
    expect(second).toMatch(/connection: close/i);
    expect(JSON.parse(second.split('\r\n\r\n')[1] ?? '')).toEqual({
      error: { code: 'service_unavailable', message: expect.any(String) },
      meta: { request_id: 'late-1' },
    });
  });

  it('keeps X-Request-Id on plain successes from other modules (health)', async () => {
    const res = await call('/healthz', { headers: { 'x-request-id': 'probe-9' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('probe-9');
    expect(res.body).toEqual({ data: { status: 'ok' }, meta: { request_id: 'probe-9' } });
  });
});
