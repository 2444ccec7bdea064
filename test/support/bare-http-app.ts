/**
 * Boots createHttpApp on a module of the test's choosing (no database or broker needed),
 * listening on a free loopback port, with the logs captured as parsed JSON lines.
 */
import type { Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHttpApp, createLogger, freePort, HttpAppOptions } from '@herald/platform';
import { Writable } from 'node:stream';

export interface BareApp {
  app: NestFastifyApplication;
  port: number;
  /** http(s)://127.0.0.1:<port> */
  url: string;
  logs: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function startBareApp(
  module: Type<unknown>,
  opts: Omit<HttpAppOptions, 'logger'> = {},
): Promise<BareApp> {
  const logs: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  const logger = createLogger({ level: 'info', destination });
  const app = await createHttpApp(module, { logger, ...opts });
  const port = await freePort();
  await app.listen(port, '127.0.0.1');
  return {
    app,
    port,
    url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    logs,
    close: () => app.close(),
  };
}
