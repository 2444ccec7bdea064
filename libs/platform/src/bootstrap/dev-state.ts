/**
 * `herald dev` writes what it started to `$HERALD_DATA_DIR/dev.json`, so any other
 * `herald` command (or a role started by hand) with the same data dir finds the
 * database and brokers without being told.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { HeraldConfig } from '../config';

export interface DevState {
  database_url: string;
  /** The `herald_system` and `herald_app` logins it set up, when it could. */
  database_system_url?: string;
  database_app_url?: string;
  kafka_brokers: string[];
  http_port: number;
  pid: number;
  started_at: string;
}

export function devStatePath(dataDir: string): string {
  return path.join(dataDir, 'dev.json');
}

export function writeDevState(dataDir: string, state: DevState): void {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = devStatePath(dataDir);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  fs.renameSync(`${file}.tmp`, file);
}

export function readDevState(dataDir: string): DevState | undefined {
  try {
    const state = JSON.parse(fs.readFileSync(devStatePath(dataDir), 'utf8')) as DevState;
    process.kill(state.pid, 0); // a dev.json whose process is gone describes nothing running
    return state;
  } catch {
    return undefined;
  }
}

export function removeDevState(dataDir: string, pid = process.pid): void {
  const state = (() => {
    try {
      return JSON.parse(fs.readFileSync(devStatePath(dataDir), 'utf8')) as DevState;
    } catch {
      return undefined;
    }
  })();
  if (state?.pid === pid) fs.rmSync(devStatePath(dataDir), { force: true });
}

/**
 * Fills DATABASE_URL / KAFKA_BROKERS from a running `herald dev` when they are not configured,
 * and with its database the logins it set up (so a role started by hand beside it logs in as
 * `herald dev`'s roles do).
 */
export function withDevState(config: HeraldConfig): HeraldConfig {
  if (config.databaseUrl && config.kafkaBrokers) return config;
  const state = config.env === 'production' ? undefined : readDevState(config.dataDir);
  if (!state) return config;
  const itsDatabase = !config.databaseUrl;
  return {
    ...config,
    databaseUrl: config.databaseUrl ?? state.database_url,
    databaseSystemUrl: config.databaseSystemUrl ?? (itsDatabase ? state.database_system_url : undefined),
    databaseAppUrl: config.databaseAppUrl ?? (itsDatabase ? state.database_app_url : undefined),
    kafkaBrokers: config.kafkaBrokers ?? state.kafka_brokers,
  };
}
