import { Writable } from 'node:stream';
import { createLogger } from './logger';

function capture(): { stream: Writable; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('createLogger', () => {
  it('writes JSON with level labels and redacts secrets and authorization headers', () => {
    const out = capture();
    const log = createLogger({ level: 'info', destination: out.stream });
    log.info(
      {
        req: { headers: { authorization: 'Bearer mc_live_abc', cookie: 'sid=1', host: 'x' } },
        endpoint: { secret: 'whsec_zzz', url: 'https://example.com' },
        password: 'hunter2',
      },
      'hello',
    );
    const [line] = out.lines();
    const text = JSON.stringify(line);
    expect(line?.level).toBe('info');
    expect(line?.msg).toBe('hello');
    expect(text).not.toContain('mc_live_abc');
    expect(text).not.toContain('whsec_zzz');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('sid=1');
    expect(text).toContain('https://example.com');
    expect(text).toContain('[redacted]');
  });

  it('redacts credentials wherever they stand in a line, a URL or a message included', () => {
    const out = capture();
    const log = createLogger({ level: 'info', destination: out.stream });
    const key = 'mc_live_vvG_tbk8lA-pOlBKn4QyGHBy9-L3O2iajbWZDfk3wHY';
    log.info(
      { req: { url: `/api/v1/events?api_key=${key}` } },
      `refused hst_okowoDBXlTN12Umy8Ydz and whsec_u3i0NGH44Fkq+/=`,
    );
    const text = JSON.stringify(out.lines()[0]);
    expect(text).not.toContain('vvG_tbk8');
    expect(text).not.toContain('okowoDBX');
    expect(text).not.toContain('u3i0NGH4');
    expect(text).toContain('/api/v1/events?api_key=mc_live_[redacted]');
    expect(text).toContain('refused hst_[redacted] and whsec_[redacted]');
  });

  it('redacts OAuth client secrets and access tokens by their shape', () => {
    const out = capture();
    const log = createLogger({ level: 'info', destination: out.stream });
    log.info(`pasted mc_cs_vvG_tbk8lA-pOlBKn4QyGHBy9 and mc_at_okowoDBXlTN12Umy8Ydz`);
    const text = JSON.stringify(out.lines()[0]);
    expect(text).toContain('pasted mc_cs_[redacted] and mc_at_[redacted]');
  });

  it('honours the level', () => {
    const out = capture();
    const log = createLogger({ level: 'warn', destination: out.stream });
    log.info('dropped');
    log.warn('kept');
    expect(out.lines().map((l) => l.msg)).toEqual(['kept']);
  });
});
