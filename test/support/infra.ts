/**
 * What an integration test gets: the real database and broker of this run.
 * Refuses any database whose name lacks "test", so a stray DATABASE_URL can never be wiped.
 */
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Client } from 'pg';
import { createDataSource, createKafka, createScratchDatabase, migrate } from '@herald/platform';
import type { Kafka } from 'kafkajs';

export function testDatabaseUrl(): string {
  const url = process.env.HERALD_TEST_DATABASE_URL;
  if (!url) throw new Error('integration tests need the global setup (HERALD_TEST_DATABASE_URL is unset)');
  assertTestDatabase(url);
  return url;
}

export function assertTestDatabase(url: string): void {
  const name = new URL(url).pathname.slice(1);
  if (!name.includes('test'))
    throw new Error(`refusing to run tests against database "${name}": its name lacks "test"`);
}

export function testKafkaBrokers(): string[] {
  const brokers = process.env.HERALD_TEST_KAFKA_BROKERS;
  if (!brokers)
    throw new Error('integration tests need the global setup (HERALD_TEST_KAFKA_BROKERS is unset)');
  return brokers.split(',');
}

export function testKafka(clientId = 'herald-test'): Kafka {
  return createKafka({ brokers: testKafkaBrokers(), clientId });
}

/** A brand-new empty database of this run (for migration tests and isolation). */
export async function freshDatabase(prefix = 'herald_test'): Promise<string> {
  const admin = process.env.HERALD_TEST_ADMIN_DATABASE_URL;
  if (!admin) throw new Error('HERALD_TEST_ADMIN_DATABASE_URL is unset');
  const url = await createScratchDatabase(admin, `${prefix}_${randomBytes(4).toString('hex')}`);
  assertTestDatabase(url);
  return url;
}

/** The run's shared database, migrated. */
export async function migratedDataSource(url = testDatabaseUrl()): Promise<DataSource> {
  assertTestDatabase(url);
  const ds = await createDataSource({ url, poolSize: 5 }).initialize();
  await migrate(ds);
  return ds;
}

export async function rawClient(url = testDatabaseUrl()): Promise<Client> {
  const c = new Client({ connectionString: url });
  await c.connect();
  return c;
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export async function eventually<T>(
  fn: () => Promise<T | undefined | false>,
  timeoutMs = 20000,
  stepMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(
        `condition not met within ${timeoutMs} ms${last instanceof Error ? `: ${last.message}` : ''}`,
      );
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
