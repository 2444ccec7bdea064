import * as os from 'node:os';
import * as path from 'node:path';

export interface TestInfraState {
  dataDir: string;
  pids: number[];
  databaseUrl: string;
  adminDatabaseUrl: string;
  kafkaBrokers: string[];
}

export const STATE_FILE = path.join(os.tmpdir(), `herald-test-infra-${process.ppid}-${process.pid}.json`);
