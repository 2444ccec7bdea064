/**
 * Kafka and Postgres of the chaos run: embedded engines of its own (not the shared test
 * ones) in a temp dir, on fixed ports picked at start, so either can be stopped and
 * started again on the same data and address while the roles keep running.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  ensureKafkaJars,
  freePort,
  projectRoot,
  startEmbeddedKafka,
  startEmbeddedPostgres,
  type EmbeddedKafka,
  type EmbeddedPostgres,
} from '@herald/platform';

export interface RestartableEngines {
  readonly dataDir: string;
  readonly brokers: string[];
  /** The `postgres` database of the server (to create the run's database). */
  readonly adminDbUrl: string;
  /** Graceful stop, then start on the same data and ports; resolves once serving again. */
  restartKafka(): Promise<{ downMs: number }>;
  restartPostgres(): Promise<{ downMs: number }>;
  stop(): Promise<void>;
}

export async function startRestartableEngines(log: (line: string) => void): Promise<RestartableEngines> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-chaos-'));
  fs.chmodSync(dataDir, 0o755);
  const repoRoot = projectRoot();
  const kafkaOpts = {
    repoRoot,
    dataDir: path.join(dataDir, 'kafka'),
    port: await freePort(),
    controllerPort: await freePort(),
    log,
  };
  const pgOpts = { dataDir, port: await freePort(), log };
  await ensureKafkaJars({ repoRoot, log });
  let kafka: EmbeddedKafka | undefined;
  let pg: EmbeddedPostgres | undefined;
  try {
    [kafka, pg] = await Promise.all([startEmbeddedKafka(kafkaOpts), startEmbeddedPostgres(pgOpts)]);
  } catch (err) {
    await kafka?.kill();
    await pg?.stop();
    throw err;
  }
  const engines = { kafka, pg };
  return {
    dataDir,
    brokers: kafka.brokers,
    adminDbUrl: pg.urlFor('postgres'),
    async restartKafka() {
      await engines.kafka.stop();
      const down = Date.now();
      engines.kafka = await startEmbeddedKafka(kafkaOpts);
      return { downMs: Date.now() - down };
    },
    async restartPostgres() {
      await engines.pg.stop();
      const down = Date.now();
      engines.pg = await startEmbeddedPostgres(pgOpts);
      return { downMs: Date.now() - down };
    },
    async stop() {
      await engines.kafka.kill().catch(() => undefined);
      await engines.pg.stop().catch(() => undefined);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
