/** Boots Herald roles in-process on the run's real Kafka and Postgres, listening on a free port. */
import type { Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  createLogger,
  createRolesApp,
  freePort,
  HeraldConfig,
  loadConfig,
  loginUrl,
  startRoles,
} from '@herald/platform';
import { DataSource } from 'typeorm';
import { migratedDataSource, testDatabaseUrl, testKafkaBrokers } from './infra';
import { REPO_ROOT } from './herald-process';

export const TEST_SERVICE_TOKEN = 'test-service-token-'.padEnd(48, 'x');

export interface TestApp {
  app: NestFastifyApplication;
  config: HeraldConfig;
  ds: DataSource;
  baseUrl: string;
  close(): Promise<void>;
}

export function testConfig(overrides: Partial<HeraldConfig> = {}): HeraldConfig {
  const databaseUrl = overrides.databaseUrl ?? testDatabaseUrl();
  return {
    ...loadConfig(
      { LOG_LEVEL: process.env.HERALD_TEST_LOG_LEVEL ?? 'silent', NODE_ENV: 'test' },
      { projectRoot: REPO_ROOT },
    ),
    databaseUrl,
    ...testLogins(databaseUrl),
    kafkaBrokers: testKafkaBrokers(),
    serviceToken: TEST_SERVICE_TOKEN,
    masterKey: Buffer.alloc(32, 1),
    ...overrides,
  };
}

/**
 * The `herald_app` and `herald_system` logins for a database of this run (the global setup
 * gave them their passwords; a database's migrations give them their grants), so the roles
 * under test log in as production's do and the owner only migrates and seeds.
 */
export function testLogins(databaseUrl: string): Pick<HeraldConfig, 'databaseAppUrl' | 'databaseSystemUrl'> {
  return {
    databaseAppUrl: loginUrl(databaseUrl, 'herald_app'),
    databaseSystemUrl: loginUrl(databaseUrl, 'herald_system'),
  };
}

export async function startTestApp(
  roles: Array<Type<unknown>>,
  overrides: Partial<HeraldConfig> = {},
): Promise<TestApp> {
  const ds = await migratedDataSource();
  const config = testConfig({ port: await freePort(), ...overrides });
  const app = await createRolesApp(roles, config, createLogger({ level: config.logLevel }));
  await startRoles(app);
  await app.listen(config.port, '127.0.0.1');
  return {
    app,
    config,
    ds,
    baseUrl: `http://127.0.0.1:${config.port}`,
    close: async () => {
      await app.close();
      await ds.destroy();
    },
  };
}

export async function postJson(
  url: string,
  body: unknown,
  token = TEST_SERVICE_TOKEN,
): Promise<{ status: number; body: any }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}
