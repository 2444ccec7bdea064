import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { createLogger } from '../logging';
import { lazyRequestLoggerFactory } from './request-logger';

function capture(): { lines: Array<Record<string, unknown>>; stream: Writable } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, stream };
}

describe('lazyRequestLoggerFactory', () => {
  it('makes no child until something at an enabled level is written, then writes with the bindings', async () => {
    const { lines, stream } = capture();
    const parent = createLogger({ level: 'warn', destination: stream });
    const child = jest.spyOn(parent, 'child');
    // Fastify passes the route's level, the server's unless the route has its own.
    const log = lazyRequestLoggerFactory(parent, { reqId: 'req_1' }, { level: 'warn' });
    log.info('not written');
    log.debug({ a: 1 }, 'not written');
    expect(child).not.toHaveBeenCalled();
    expect(log.level).toBe('warn');

    log.warn({ authorization: 'Bearer secret' }, 'written');
    log.error('also written');
    expect(child).toHaveBeenCalledTimes(1);
    await new Promise((r) => setImmediate(r));
    expect(lines.map((l) => [l.level, l.msg, l.reqId])).toEqual([
      ['warn', 'written', 'req_1'],
      ['error', 'also written', 'req_1'],
    ]);
    // The parent's redaction still applies.
    expect(lines[0]!.authorization).toBe('[redacted]');
  });

  it('makes an ordinary child for a route with a level of its own', () => {
    const parent = createLogger({ level: 'warn', destination: capture().stream });
    const child = jest.spyOn(parent, 'child');
    const log = lazyRequestLoggerFactory(parent, { reqId: 'req_2' }, { level: 'debug' });
    expect(child).toHaveBeenCalledWith({ reqId: 'req_2' }, { level: 'debug' });
    expect(log.level).toBe('debug');
  });

  it('serves Fastify: no child for a request that writes nothing, the request id on what is written', async () => {
    const { lines, stream } = capture();
    const app = Fastify({
      loggerInstance: createLogger({ level: 'warn', destination: stream }),
      childLoggerFactory: lazyRequestLoggerFactory,
      genReqId: () => 'req_fixed',
    });
    app.get('/quiet', async () => ({ ok: true }));
    app.get('/x', async (req) => {
      req.log.warn('inside');
      return { ok: true };
    });
    const child = jest.spyOn(app.log, 'child');
    expect((await app.inject({ method: 'GET', url: '/quiet' })).statusCode).toBe(200);
    expect(child).not.toHaveBeenCalled();
    expect((await app.inject({ method: 'GET', url: '/x' })).statusCode).toBe(200);
    expect(child).toHaveBeenCalledTimes(1);
    await app.close();
    await new Promise((r) => setImmediate(r));
    expect(lines.filter((l) => l.reqId === 'req_fixed').map((l) => l.msg)).toEqual(['inside']);
  });
});
