import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../config';
import { withDevState, writeDevState } from './dev-state';

describe('withDevState', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-dev-state-'));
    writeDevState(dataDir, {
      database_url: 'postgres://herald:p@127.0.0.1:5433/herald',
      database_system_url: 'postgres://herald_system:s@127.0.0.1:5433/herald',
      database_app_url: 'postgres://herald_app:a@127.0.0.1:5433/herald',
      kafka_brokers: ['127.0.0.1:9092'],
      http_port: 3000,
      pid: process.pid, // alive: the state describes a running herald dev
      started_at: new Date().toISOString(),
    });
  });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  const config = (env: Record<string, string> = {}) =>
    withDevState(loadConfig({ HERALD_DATA_DIR: dataDir, ...env }, { projectRoot: dataDir }));

  it('takes the database, its logins and the brokers of a running herald dev', () => {
    expect(config()).toMatchObject({
      databaseUrl: 'postgres://herald:p@127.0.0.1:5433/herald',
      databaseSystemUrl: 'postgres://herald_system:s@127.0.0.1:5433/herald',
      databaseAppUrl: 'postgres://herald_app:a@127.0.0.1:5433/herald',
      kafkaBrokers: ['127.0.0.1:9092'],
    });
  });

  it('never pairs its logins with another database', () => {
    const c = config({ DATABASE_URL: 'postgres://other@db/other' });
    expect(c.databaseUrl).toBe('postgres://other@db/other');
    expect(c.databaseSystemUrl).toBeUndefined();
    expect(c.databaseAppUrl).toBeUndefined();
    expect(c.kafkaBrokers).toEqual(['127.0.0.1:9092']);
  });

  it('keeps logins that are configured', () => {
    const c = config({ HERALD_DATABASE_SYSTEM_URL: 'postgres://mine:x@127.0.0.1:5433/herald' });
    expect(c.databaseSystemUrl).toBe('postgres://mine:x@127.0.0.1:5433/herald');
    expect(c.databaseAppUrl).toBe('postgres://herald_app:a@127.0.0.1:5433/herald');
  });

  it('is ignored in production', () => {
    const c = config({ NODE_ENV: 'production' });
    expect(c.databaseUrl).toBeUndefined();
    expect(c.databaseSystemUrl).toBeUndefined();
  });
});
