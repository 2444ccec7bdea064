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

  it('honours the level', () => {
    const out = capture();
    const log = createLogger({ level: 'warn', destination: out.stream });
    log.info('dropped');
    log.warn('kept');
    expect(out.lines().map((l) => l.msg)).toEqual(['kept']);
  });
});
