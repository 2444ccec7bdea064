/** `herald migrate`: applies pending migrations to DATABASE_URL (or herald dev's database). */
import { createDataSource, migrate } from '@herald/platform';
import type { Command } from 'commander';
import { connectedConfig, output, OutputOptions } from '../cli-context';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations')
    .option('--json', 'machine-readable output')
    .action(async (opts: OutputOptions) => {
      const config = connectedConfig({ database: true });
      const ds = await createDataSource({ url: config.databaseUrl!, poolSize: 1 }).initialize();
      try {
        const applied = await migrate(ds);
        output(
          opts,
          { applied },
          applied.length ? `applied ${applied.join(', ')}` : 'database is up to date',
        );
      } finally {
        await ds.destroy();
      }
    });
}
