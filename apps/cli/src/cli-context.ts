/** Shared CLI plumbing: config, output modes and the one-line error convention. */
import { ConfigError, HeraldConfig, loadConfig, projectRoot, withDevState } from '@herald/platform';

export class CliError extends Error {}

export function cliConfig(): HeraldConfig {
  try {
    return loadConfig(process.env, { projectRoot: projectRoot() });
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(`invalid configuration: ${err.message}`);
    throw err;
  }
}

/** Config for commands that talk to a running system: falls back to `herald dev`'s dev.json. */
export function connectedConfig(needs: { database?: boolean; kafka?: boolean }): HeraldConfig {
  const config = withDevState(cliConfig());
  if (needs.database && !config.databaseUrl) {
    throw new CliError('no database: set DATABASE_URL or start `herald dev` with the same HERALD_DATA_DIR');
  }
  if (needs.kafka && !config.kafkaBrokers) {
    throw new CliError('no Kafka: set KAFKA_BROKERS or start `herald dev` with the same HERALD_DATA_DIR');
  }
  return config;
}

export interface OutputOptions {
  json?: boolean;
}

/** Machine output on stdout with --json; human output otherwise. */
export function output(opts: OutputOptions, json: unknown, human: string): void {
  process.stdout.write(opts.json ? JSON.stringify(json) + '\n' : human + '\n');
}

export function errorLine(err: unknown): string {
  if (err instanceof Error) return err.message.split('\n')[0] ?? 'error';
  return String(err);
}
