import * as fs from 'node:fs';
import { Client } from 'pg';
import { STATE_FILE, TestInfraState } from './infra-state';

export default async function globalTeardown(): Promise<void> {
  let state: TestInfraState | undefined;
  try {
    state = JSON.parse(fs.readFileSync(STATE_FILE, 'utf8')) as TestInfraState;
  } catch {
    state = undefined;
  }
  if (state && process.env.TEST_DATABASE_URL) {
    // An external server outlives the run: drop the throwaway database.
    const db = new URL(state.databaseUrl).pathname.slice(1);
    const client = new Client({ connectionString: state.adminDatabaseUrl });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`).catch(() => undefined);
    await client.end();
  }
  const stops = (globalThis as { __heraldStops?: Array<() => Promise<void>> }).__heraldStops ?? [];
  for (const stop of stops) await stop().catch(() => undefined);
  if (state) fs.rmSync(state.dataDir, { recursive: true, force: true });
  fs.rmSync(STATE_FILE, { force: true });
}
