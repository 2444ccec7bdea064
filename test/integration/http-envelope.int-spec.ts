/**
 * The success envelope over real HTTP (DESIGN.md §6), as EnvelopingFastifyAdapter puts it
 * on: a handler's result, `Enveloped` meta, data serialized already (`RawJson`), a
 * passthrough `@Res`, an empty 204, and a handler that answers itself left as it answers.
 */
import { Controller, Get, HttpCode, Module, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Enveloped, RawJson } from '@herald/platform';
import { BareApp, startBareApp } from '../support/bare-http-app';

@Controller('shapes')
class ShapesController {
  @Get('plain')
  plain(): { n: number; items: string[] } {
    return { n: 1, items: ['a', 'b'] };
  }

  @Get('later')
  async later(): Promise<{ later: boolean }> {
    await new Promise((resolve) => setImmediate(resolve));
    return { later: true };
  }

  @Get('page')
  page(): Enveloped<string[]> {
    return new Enveloped(['x'], { next_cursor: 'c1', has_more: true });
  }

  @Get('raw')
  raw(): Enveloped<RawJson> {
    return new Enveloped(new RawJson('[{"id":"e1"},{"id":"e2"}]'), { has_more: false });
  }

  @Get('raw-plain')
  rawPlain(): RawJson {
    return new RawJson('{"k":"v"}');
  }

  @Get('null')
  nothing(): null {
    return null;
  }

  @Post('empty')
  @HttpCode(204)
  empty(): void {}

  @Get('passthrough')
  passthrough(@Res({ passthrough: true }) reply: FastifyReply): { ok: boolean } {
    void reply.header('cache-control', 'no-store');
    return { ok: true };
  }

  @Get('own')
  own(@Res() reply: FastifyReply): void {
    void reply
      .status(200)
      .header('cache-control', 'no-store')
      .send({ access_token: 't', token_type: 'Bearer' });
  }
}

@Module({ controllers: [ShapesController] })
class ShapesModule {}

describe('success envelope (real HTTP)', () => {
  let bare: BareApp;

  beforeAll(async () => {
    bare = await startBareApp(ShapesModule);
  });

  afterAll(async () => {
    await bare.close();
  });

  async function get(path: string, init: RequestInit = {}): Promise<{ res: Response; text: string }> {
    const res = await fetch(`${bare.url}${path}`, init);
    return { res, text: await res.text() };
  }

  it('wraps a result in data, with the request id in meta and the header', async () => {
    const { res, text } = await get('/shapes/plain');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const id = res.headers.get('x-request-id');
    expect(id).toBeTruthy();
    expect(JSON.parse(text)).toEqual({ data: { n: 1, items: ['a', 'b'] }, meta: { request_id: id } });
  });

  it('wraps what an async handler resolves to', async () => {
    const { res, text } = await get('/shapes/later');
    expect(JSON.parse(text)).toEqual({
      data: { later: true },
      meta: { request_id: res.headers.get('x-request-id') },
    });
  });

  it('adds an Enveloped result’s meta after the request id', async () => {
    const { res, text } = await get('/shapes/page');
    expect(text).toBe(
      JSON.stringify({
        data: ['x'],
        meta: { request_id: res.headers.get('x-request-id'), next_cursor: 'c1', has_more: true },
      }),
    );
  });

  it('splices data serialized already into the envelope as it is, as JSON', async () => {
    const page = await get('/shapes/raw');
    expect(page.res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(page.text).toBe(
      `{"data":[{"id":"e1"},{"id":"e2"}],"meta":{"request_id":${JSON.stringify(page.res.headers.get('x-request-id'))},"has_more":false}}`,
    );
    const plain = await get('/shapes/raw-plain');
    expect(JSON.parse(plain.text)).toEqual({
      data: { k: 'v' },
      meta: { request_id: plain.res.headers.get('x-request-id') },
    });
  });

  it('wraps a null result as null data', async () => {
    const { res, text } = await get('/shapes/null');
    expect(JSON.parse(text)).toEqual({ data: null, meta: { request_id: res.headers.get('x-request-id') } });
  });

  it('sends no body with a 204', async () => {
    const { res, text } = await get('/shapes/empty', { method: 'POST' });
    expect(res.status).toBe(204);
    expect(text).toBe('');
  });

  it('wraps a passthrough handler’s result and keeps the headers it set', async () => {
    const { res, text } = await get('/shapes/passthrough');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(JSON.parse(text)).toEqual({
      data: { ok: true },
      meta: { request_id: res.headers.get('x-request-id') },
    });
  });

  it('leaves a handler that answers itself as it answers', async () => {
    const { res, text } = await get('/shapes/own');
    expect(res.status).toBe(200);
    expect(JSON.parse(text)).toEqual({ access_token: 't', token_type: 'Bearer' });
  });
});
