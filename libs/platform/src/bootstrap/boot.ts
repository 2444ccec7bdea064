/**
 * Entry-point helpers: read the config once (a bad value stops the process with one
 * line and exit code 1), and boot one or more role modules in one Nest application.
 */
import type { Type } from '@nestjs/common';
import { Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import { assertProductionReady, ConfigError, HeraldConfig, loadConfig, projectRoot } from '../config';
import { assertLeastPrivilege } from '../database/tenant-login';
import type { MicroserviceOptions } from '@nestjs/microservices';
import { createHttpApp, httpOptionsFor } from '../http/create-http-app';
import { HeraldKafkaTransport } from '../kafka/consumer-transport';
import { KafkaService } from '../kafka/kafka.service';
import { createLogger } from '../logging/logger';
import { PlatformModule } from '../platform.module';
import { withDevState } from './dev-state';

/** Loads the configuration or exits 1 with a one-line reason. */
export function configOrExit(env: NodeJS.ProcessEnv = process.env): HeraldConfig {
  try {
    return loadConfig(env, { projectRoot: projectRoot() });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`herald: invalid configuration: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

/**
 * One Nest application for the given role modules: an HTTP server, and a microservice on
 * the Kafka transport for the consumer groups the roles declare (`@ConsumeBatches`).
 * Nothing runs until `startRoles` (or `listen`, which calls it).
 */
export async function createRolesApp(
  roles: Array<Type<unknown>>,
  config: HeraldConfig,
  logger: Logger,
): Promise<NestFastifyApplication> {
  @Module({ imports: [PlatformModule.forRoot(config, logger), ...roles] })
  class RootModule {}
  const app = await createHttpApp(RootModule, { logger, ...httpOptionsFor(config) });
  app.connectMicroservice<MicroserviceOptions>({
    strategy: new HeraldKafkaTransport(() => app.get(KafkaService)),
  });
  return app;
}

/**
 * Starts the roles: their bootstrap hooks first (connections, workers, caches), then
 * their consumer groups. Idempotent with respect to `app.init()`.
 */
export async function startRoles(app: NestFastifyApplication): Promise<void> {
  await app.init();
  await app.startAllMicroservices();
}

/**
 * Starts the roles and listens on `host` (HERALD_BIND). `::` (IPv6 and, on most hosts, IPv4 too) falls back to
 * `0.0.0.0` where the host has no IPv6.
 */
export async function listen(app: NestFastifyApplication, port: number, host: string): Promise<void> {
  await startRoles(app);
  try {
    await app.listen(port, host);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (host !== '::' || (code !== 'EAFNOSUPPORT' && code !== 'EADDRNOTAVAIL')) throw err;
    await app.listen(port, '0.0.0.0');
  }
}

/** `127.0.0.1:3000`, `[::]:3000`: where the HTTP server listens, for the start-up line. */
export function listenAddress(app: NestFastifyApplication): string {
  const addr = app.getHttpServer().address();
  if (addr === null || typeof addr === 'string') return String(addr);
  return addr.family === 'IPv6' ? `[${addr.address}]:${addr.port}` : `${addr.address}:${addr.port}`;
}

/** `node dist/apps/<role>/src/main.js`: one role in its own process (production layout). */
export async function bootRole(name: string, roles: Array<Type<unknown>>): Promise<void> {
  const config = withDevState(configOrExit());
  try {
    assertProductionReady(config);
    if (!config.databaseUrl)
      throw new ConfigError(
        'DATABASE_URL is not set and no `herald dev` is running for this HERALD_DATA_DIR',
      );
    if (!config.kafkaBrokers)
      throw new ConfigError(
        'KAFKA_BROKERS is not set and no `herald dev` is running for this HERALD_DATA_DIR',
      );
    await assertLeastPrivilege(config);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`herald ${name}: invalid configuration: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger({ level: config.logLevel, name: `herald-${name}` });
  const app = await createRolesApp(roles, config, logger);
  app.enableShutdownHooks(['SIGINT', 'SIGTERM']);
  await listen(app, config.port, config.bind);
  const address = listenAddress(app);
  logger.info({ role: name, port: config.port, bind: config.bind }, `herald ${name} ready on ${address}`);
}
