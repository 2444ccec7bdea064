/**
 * Fastify gives every request a child logger bound to its id. A pino child serializes its
 * bindings when it is made, which costs about as much as everything else an answer from the
 * read cache does, and most requests never write through it (below the configured level
 * nothing is written). The child here is made on the first call that will write; until then
 * only the parent's level is consulted.
 */
import type { Bindings, ChildLoggerOptions, LogFn } from 'pino';
import type { FastifyBaseLogger } from 'fastify';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

interface LevelAware extends FastifyBaseLogger {
  isLevelEnabled(level: string): boolean;
}

class LazyRequestLogger implements FastifyBaseLogger {
  private made: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: LevelAware,
    private readonly binding: Bindings,
  ) {}

  get level(): string {
    return this.made?.level ?? this.parent.level;
  }

  set level(level: string) {
    this.real().level = level;
  }

  readonly fatal: LogFn = (...args: unknown[]) => this.write('fatal', args);
  readonly error: LogFn = (...args: unknown[]) => this.write('error', args);
  readonly warn: LogFn = (...args: unknown[]) => this.write('warn', args);
  readonly info: LogFn = (...args: unknown[]) => this.write('info', args);
  readonly debug: LogFn = (...args: unknown[]) => this.write('debug', args);
  readonly trace: LogFn = (...args: unknown[]) => this.write('trace', args);
  readonly silent: LogFn = () => undefined;

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.real().child(bindings, options);
  }

  private write(level: Level, args: unknown[]): void {
    if (!this.made && !this.parent.isLevelEnabled(level)) return;
    const logger = this.real();
    Reflect.apply(logger[level], logger, args);
  }

  private real(): FastifyBaseLogger {
    return (this.made ??= this.parent.child(this.binding));
  }
}

/**
 * Fastify's `childLoggerFactory`. Fastify always passes the route's level (empty or the server's,
 * unless the route sets its own); a route with a level or serializers of its own gets an
 * ordinary child.
 */
export function lazyRequestLoggerFactory(
  logger: FastifyBaseLogger,
  bindings: Bindings,
  options: ChildLoggerOptions,
): FastifyBaseLogger {
  const parent = logger as LevelAware;
  const ownLevel = Boolean(options.level) && options.level !== parent.level;
  if (ownLevel || options.serializers || typeof parent.isLevelEnabled !== 'function') {
    return logger.child(bindings, options);
  }
  return new LazyRequestLogger(parent, bindings);
}
