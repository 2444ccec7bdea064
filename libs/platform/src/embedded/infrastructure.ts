/**
 * Finds or starts the two engines for `herald dev` and the test setup:
 * Postgres — DATABASE_URL, else a server on 127.0.0.1:5432 (docker-compose's
 * credentials), else embedded; Kafka — KAFKA_BROKERS, else the embedded broker.
 */
import * as path from 'node:path';
import { Client } from 'pg';
import type { HeraldConfig } from '../config';
import { ensureKafkaJars, startEmbeddedKafka } from '../kafka/embedded-kafka';
import { startEmbeddedPostgres } from './embedded-postgres';
import { isPortOpen } from './net';

export type Source = 'configured' | 'local' | 'embedded';

export interface ResolvedPostgres {
  url: string;
  source: Source;
  /** Stops the server when this process started it; a no-op otherwise. */
  stop(): Promise<void>;
  pid?: number;
}

export interface ResolvedKafka {
  brokers: string[];
  source: Source;
  stop(): Promise<void>;
  pid?: number;
}

/** docker-compose.yml's credentials: what "the local server" means. */
export const LOCAL_DATABASE_URL = 'postgres://herald:herald@127.0.0.1:5432/herald';

export async function resolvePostgres(
  config: HeraldConfig,
  log: (line: string) => void,
): Promise<ResolvedPostgres> {
  const noop = async (): Promise<void> => undefined;
  if (config.databaseUrl) return { url: config.databaseUrl, source: 'configured', stop: noop };
  if (await isPortOpen(5432)) {
    const client = new Client({ connectionString: LOCAL_DATABASE_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.end();
      return { url: LOCAL_DATABASE_URL, source: 'local', stop: noop };
    } catch (err) {
      await client.end().catch(() => undefined);
      throw new Error(
        `a Postgres server answers on 127.0.0.1:5432 but refused ${LOCAL_DATABASE_URL.replace(':herald@', ':***@')} ` +
          `(${err instanceof Error ? err.message : String(err)}); set DATABASE_URL`,
      );
    }
  }
  const pg = await startEmbeddedPostgres({
    dataDir: config.dataDir,
    port: config.postgres.embeddedPort,
    log,
  });
  return { url: pg.url, source: 'embedded', stop: () => pg.stop(), pid: pg.pid };
}

export async function resolveKafka(
  config: HeraldConfig,
  repoRoot: string,
  log: (line: string) => void,
): Promise<ResolvedKafka> {
  if (config.kafkaBrokers)
    return { brokers: config.kafkaBrokers, source: 'configured', stop: async () => undefined };
  await ensureKafkaJars({ repoRoot, log });
  const broker = await startEmbeddedKafka({
    repoRoot,
    dataDir: path.join(config.dataDir, 'kafka'),
    port: config.kafka.embeddedPort,
    controllerPort: config.kafka.embeddedControllerPort,
    log,
  });
  return { brokers: broker.brokers, source: 'embedded', stop: () => broker.stop(), pid: broker.pid };
}
