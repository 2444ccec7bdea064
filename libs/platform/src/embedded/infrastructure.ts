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
import { freePort, isPortOpen } from './net';

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

export interface ScratchEngines {
  brokers: string[];
  /** URL of the server's `postgres` database, for creating throwaway databases. */
  adminDatabaseUrl: string;
  /** Pids of the engines this call started (none for given ones). */
  pids: number[];
  stop(): Promise<void>;
}

/**
 * Kafka and Postgres for tests and benchmarks: the given ones, or embedded engines on
 * free ports under `dataDir`, started side by side. If either fails, neither is left running.
 * The caller throws `dataDir` away after `stop()`, so the broker is killed rather than stopped.
 */
export async function startScratchEngines(opts: {
  repoRoot: string;
  dataDir: string;
  brokers?: string[];
  adminDatabaseUrl?: string;
  log?: (line: string) => void;
}): Promise<ScratchEngines> {
  const stops: Array<() => Promise<void>> = [];
  const pids: number[] = [];
  const pg = (async (): Promise<string> => {
    if (opts.adminDatabaseUrl) return opts.adminDatabaseUrl;
    const server = await startEmbeddedPostgres({
      dataDir: opts.dataDir,
      port: await freePort(),
      log: opts.log,
    });
    stops.push(() => server.stop());
    pids.push(server.pid);
    return server.urlFor('postgres');
  })();
  const kafka = (async (): Promise<string[]> => {
    if (opts.brokers) return opts.brokers;
    await ensureKafkaJars({ repoRoot: opts.repoRoot, log: opts.log });
    const broker = await startEmbeddedKafka({
      repoRoot: opts.repoRoot,
      dataDir: path.join(opts.dataDir, 'kafka'),
      port: await freePort(),
      controllerPort: await freePort(),
      log: opts.log,
    });
    // Scratch data is thrown away: no graceful shutdown to wait for.
    stops.push(() => broker.kill());
    pids.push(broker.pid);
    return broker.brokers;
  })();
  const [pgRes, kafkaRes] = await Promise.allSettled([pg, kafka]);
  const stop = async (): Promise<void> => {
    for (const s of stops.splice(0).reverse()) await s().catch(() => undefined);
  };
  if (pgRes.status === 'rejected' || kafkaRes.status === 'rejected') {
    await stop();
    throw pgRes.status === 'rejected' ? pgRes.reason : (kafkaRes as PromiseRejectedResult).reason;
  }
  return { brokers: kafkaRes.value, adminDatabaseUrl: pgRes.value, pids, stop };
}
