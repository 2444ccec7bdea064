/** `herald tenants create|list`. */
import { createDataSource, InvalidTenantError, TenantExistsError, TenantsRepository } from '@herald/platform';
import type { Command } from 'commander';
import { CliError, connectedConfig, output, OutputOptions } from '../cli-context';

export function registerTenants(program: Command): void {
  const tenants = program.command('tenants').description('manage tenants');

  tenants
    .command('create <slug>')
    .description('create a tenant (slug: a DNS label, e.g. support)')
    .option('--name <name>', 'display name (defaults to the slug)')
    .option('--json', 'machine-readable output')
    .action(async (slug: string, opts: OutputOptions & { name?: string }) => {
      const config = connectedConfig({ database: true });
      const ds = await createDataSource({ url: config.databaseUrl!, poolSize: 1 }).initialize();
      try {
        const tenant = await new TenantsRepository(ds).create(slug, opts.name);
        output(opts, { slug: tenant.slug }, `created tenant ${tenant.slug}`);
      } catch (err) {
        if (err instanceof TenantExistsError || err instanceof InvalidTenantError)
          throw new CliError(err.message);
        throw err;
      } finally {
        await ds.destroy();
      }
    });

  tenants
    .command('list')
    .description('list tenants')
    .option('--json', 'machine-readable output')
    .action(async (opts: OutputOptions) => {
      const config = connectedConfig({ database: true });
      const ds = await createDataSource({ url: config.databaseUrl!, poolSize: 1 }).initialize();
      try {
        const list = await new TenantsRepository(ds).list();
        output(
          opts,
          list.map((t) => ({ slug: t.slug, name: t.name, created_at: t.createdAt.toISOString() })),
          list.map((t) => `${t.slug}\t${t.name}\t${t.createdAt.toISOString()}`).join('\n') || 'no tenants',
        );
      } finally {
        await ds.destroy();
      }
    });
}
