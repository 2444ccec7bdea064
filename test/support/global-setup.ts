/**
 * Starts the real engines for integration tests: an embedded Kafka broker and an
 * embedded Postgres on free ports in a throwaway data dir (or TEST_KAFKA_BROKERS /
 * TEST_DATABASE_URL when given), and a fresh database whose name contains "test".
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createScratchDatabase, startScratchEngines } from '../../libs/platform/src/embedded';
import { createDataSource, migrate } from '../../libs/platform/src/database/data-source';
import { provisionLogin } from '../../libs/platform/src/database/tenant-login';
import { STATE_FILE, TestInfraState } from './infra-state';

export default async function globalSetup(): Promise<void> {
  const repoRoot = path.resolve(__dirname, '..', '..');
  reapAbandonedRuns();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-test-'));
  fs.writeFileSync(path.join(dataDir, 'owner.pid'), String(process.pid));
  const log = (line: string): void => {
    if (process.env.HERALD_TEST_VERBOSE) process.stderr.write(`[test-infra] ${line}\n`);
  };

  const engines = await startScratchEngines({
    repoRoot,
    dataDir,
    brokers: process.env.TEST_KAFKA_BROKERS?.split(','),
    adminDatabaseUrl: process.env.TEST_DATABASE_URL,
    log,
  });
  const state: TestInfraState = {
    dataDir,
    pids: engines.pids,
    databaseUrl: await createScratchDatabase(
      engines.adminDatabaseUrl,
      `herald_test_${randomBytes(4).toString('hex')}`,
    ),
    adminDatabaseUrl: engines.adminDatabaseUrl,
    kafkaBrokers: engines.brokers,
  };
  const stops = [engines.stop];
  // Roles under test log in as production's do: herald_system for cross-tenant work,
  // herald_app for tenant queries (test/support/app.ts); the owner only migrates and seeds.
  const owner = await createDataSource({ url: state.databaseUrl, poolSize: 1 }).initialize();
  try {
    await migrate(owner);
    for (const role of ['herald_app', 'herald_system'] as const) {
      if (!(await provisionLogin(owner, state.databaseUrl, role)))
        throw new Error(`the test server did not let ${role} log in`);
    }
  } finally {
    await owner.destroy();
  }

  fs.writeFileSync(STATE_FILE, JSON.stringify(state));
  (globalThis as { __heraldStops?: Array<() => Promise<void>> }).__heraldStops = stops;
  process.env.HERALD_TEST_DATABASE_URL = state.databaseUrl;
  process.env.HERALD_TEST_ADMIN_DATABASE_URL = state.adminDatabaseUrl;
  process.env.HERALD_TEST_KAFKA_BROKERS = state.kafkaBrokers.join(',');
}

/** Stops engines left by an earlier run that was killed before its teardown (its owner is gone). */
function reapAbandonedRuns(): void {
  for (const entry of fs.readdirSync(os.tmpdir())) {
    if (!entry.startsWith('herald-test-') || entry.endsWith('.json')) continue;
    const dir = path.join(os.tmpdir(), entry);
    const owner = Number(readFirstLine(path.join(dir, 'owner.pid')));
    if (Number.isInteger(owner) && owner > 0 && alive(owner)) continue;
    for (const pidFile of [
      path.join(dir, 'kafka', 'broker.pid'),
      path.join(dir, 'postgres', 'postmaster.pid'),
    ]) {
      const pid = Number(readFirstLine(pidFile));
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function readFirstLine(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n')[0] ?? '';
  } catch {
    return '';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
