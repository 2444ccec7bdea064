/**
 * `herald clients create|list|revoke`: OAuth clients of a tenant (client credentials,
 * `POST /oauth/token`); the secret is shown once, at create.
 */
import * as os from 'node:os';
import {
  ApiKeyInputError,
  CreatedOAuthClient,
  OAuthClientsRepository,
  OAuthClientView,
} from '@herald/access';
import { createDataSource } from '@herald/platform';
import type { Command } from 'commander';
import type { DataSource } from 'typeorm';
import { CliError, connectedConfig, output, OutputOptions } from '../cli-context';

interface CreateOptions extends OutputOptions {
  tenant: string;
  scopes: string;
  label?: string;
}

interface TenantOptions extends OutputOptions {
  tenant: string;
}

export function registerClients(program: Command): void {
  const clients = program
    .command('clients')
    .description('manage OAuth clients of a tenant (client credentials)');

  clients
    .command('create')
    .description('create an OAuth client (the secret is printed once: store it)')
    .requiredOption('--tenant <slug>', 'tenant the client belongs to')
    .requiredOption(
      '--scopes <list>',
      'comma-separated scopes its tokens may carry, e.g. events:read,posts:read',
    )
    .option('--label <label>', 'a name to recognise the client by')
    .option('--json', 'machine-readable output: {"client_id","client_secret"}')
    .action(async (opts: CreateOptions) => {
      const input = {
        tenant: opts.tenant,
        scopes: opts.scopes.split(','),
        label: opts.label,
        actor: cliActor(),
      };
      const client = await withRepository((repo) => repo.create(input));
      output(opts, { client_id: client.id, client_secret: client.secret }, createdHuman(client));
    });

  clients
    .command('list')
    .description("list a tenant's OAuth clients (never their secrets)")
    .requiredOption('--tenant <slug>', 'tenant')
    .option('--json', 'machine-readable output')
    .action(async (opts: TenantOptions) => {
      const list = await withRepository((repo) => repo.list(opts.tenant));
      output(opts, list.map(viewJson), list.map(viewLine).join('\n') || `no OAuth clients in ${opts.tenant}`);
    });

  clients
    .command('revoke <client_id>')
    .description(
      'revoke an OAuth client and its tokens; returns once running gateways refuse them (revoking twice is a no-op)',
    )
    .requiredOption('--tenant <slug>', 'tenant the client belongs to')
    .option('--json', 'machine-readable output')
    .action(async (id: string, opts: TenantOptions) => {
      const res = await withRepository((repo) => repo.revoke(opts.tenant, id, cliActor()));
      const unconfirmed =
        res.unconfirmedGateways > 0
          ? `\n  ${res.unconfirmedGateways} gateway(s) did not confirm in time; they stop accepting its tokens within seconds`
          : '';
      output(
        opts,
        {
          client_id: res.id,
          revoked_at: res.revokedAt.toISOString(),
          already_revoked: res.alreadyRevoked,
          unconfirmed_gateways: res.unconfirmedGateways,
        },
        res.alreadyRevoked
          ? `client ${res.id} was already revoked at ${res.revokedAt.toISOString()}`
          : `revoked client ${res.id} and its tokens${unconfirmed}`,
      );
    });
}

async function withRepository<T>(work: (repo: OAuthClientsRepository) => Promise<T>): Promise<T> {
  const config = connectedConfig({ database: true });
  const ds: DataSource = await createDataSource({ url: config.databaseUrl!, poolSize: 1 }).initialize();
  try {
    return await work(new OAuthClientsRepository(ds));
  } catch (err) {
    if (err instanceof ApiKeyInputError) throw new CliError(err.message);
    throw err;
  } finally {
    await ds.destroy();
  }
}

/** Who ran the command, for the audit log. */
function cliActor(): string {
  try {
    return `cli:${os.userInfo().username}`;
  } catch {
    return 'cli';
  }
}

function createdHuman(c: CreatedOAuthClient): string {
  return [
    `created OAuth client ${c.id} for tenant ${c.tenant} (scopes: ${c.scopes.join(', ')})`,
    `  client_id:     ${c.id}`,
    `  client_secret: ${c.secret}`,
    `  shown once: store the secret now, it cannot be shown again`,
  ].join('\n');
}

function viewJson(c: OAuthClientView): Record<string, unknown> {
  return {
    client_id: c.id,
    label: c.label,
    secret_prefix: c.secretPrefix,
    scopes: c.scopes,
    status: c.revokedAt ? 'revoked' : 'active',
    created_by: c.createdBy,
    created_at: c.createdAt.toISOString(),
    revoked_at: c.revokedAt?.toISOString() ?? null,
    last_used_at: c.lastUsedAt?.toISOString() ?? null,
  };
}

function viewLine(c: OAuthClientView): string {
  return [
    c.id,
    `${c.secretPrefix}…`,
    c.revokedAt ? 'revoked' : 'active',
    c.scopes.join(','),
    c.label ?? '-',
    `last used ${c.lastUsedAt?.toISOString() ?? 'never'}`,
  ].join('\t');
}
