/** `herald keys create|list|revoke`: API keys of a tenant; the plaintext is shown once, at create. */
import * as os from 'node:os';
import { ApiKeyInputError, ApiKeysRepository, ApiKeyView, CreatedApiKey, KeyMode } from '@herald/access';
import { createDataSource } from '@herald/platform';
import type { Command } from 'commander';
import type { DataSource } from 'typeorm';
import { CliError, connectedConfig, output, OutputOptions } from '../cli-context';

interface CreateOptions extends OutputOptions {
  tenant: string;
  scopes: string;
  mode: string;
  label?: string;
  expires?: string;
  rateLimit?: string;
  dailyQuota?: string;
}

interface TenantOptions extends OutputOptions {
  tenant: string;
}

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('manage API keys of a tenant');

  keys
    .command('create')
    .description('mint an API key (the key is printed once: store it)')
    .requiredOption('--tenant <slug>', 'tenant the key belongs to')
    .requiredOption('--scopes <list>', 'comma-separated scopes, e.g. events:read,posts:read')
    .option('--mode <mode>', 'live or test', 'live')
    .option('--label <label>', 'a name to recognise the key by')
    .option('--expires <iso>', 'expiry time, ISO 8601 (e.g. 2027-01-31T00:00:00Z)')
    .option('--rate-limit <n>', 'requests per minute (default: the tenant setting)')
    .option('--daily-quota <n>', 'requests per UTC day (default: the tenant setting)')
    .option('--json', 'machine-readable output')
    .action(async (opts: CreateOptions) => {
      const input = {
        tenant: opts.tenant,
        scopes: opts.scopes.split(','),
        mode: parseMode(opts.mode),
        label: opts.label,
        expiresAt: opts.expires === undefined ? undefined : parseTime('--expires', opts.expires),
        rateLimitPerMinute: parseCount('--rate-limit', opts.rateLimit),
        dailyQuota: parseCount('--daily-quota', opts.dailyQuota),
        actor: cliActor(),
      };
      const key = await withRepository((repo) => repo.create(input));
      output(opts, createdJson(key), createdHuman(key));
    });

  keys
    .command('list')
    .description("list a tenant's API keys (never the keys themselves)")
    .requiredOption('--tenant <slug>', 'tenant')
    .option('--json', 'machine-readable output')
    .action(async (opts: TenantOptions) => {
      const list = await withRepository((repo) => repo.list(opts.tenant));
      output(opts, list.map(viewJson), list.map(viewLine).join('\n') || `no API keys in ${opts.tenant}`);
    });

  keys
    .command('revoke <id>')
    .description('revoke an API key; returns once running gateways refuse it (revoking twice is a no-op)')
    .requiredOption('--tenant <slug>', 'tenant the key belongs to')
    .option('--json', 'machine-readable output')
    .action(async (id: string, opts: TenantOptions) => {
      const res = await withRepository((repo) => repo.revoke(opts.tenant, id, cliActor()));
      const unconfirmed =
        res.unconfirmedGateways > 0
          ? `\n  ${res.unconfirmedGateways} gateway(s) did not confirm in time; they stop accepting it within seconds`
          : '';
      output(
        opts,
        {
          id: res.id,
          revoked_at: res.revokedAt.toISOString(),
          already_revoked: res.alreadyRevoked,
          unconfirmed_gateways: res.unconfirmedGateways,
        },
        res.alreadyRevoked
          ? `key ${res.id} was already revoked at ${res.revokedAt.toISOString()}`
          : `revoked key ${res.id}${unconfirmed}`,
      );
    });
}

async function withRepository<T>(work: (repo: ApiKeysRepository) => Promise<T>): Promise<T> {
  const config = connectedConfig({ database: true });
  const ds: DataSource = await createDataSource({ url: config.databaseUrl!, poolSize: 1 }).initialize();
  try {
    return await work(new ApiKeysRepository(ds));
  } catch (err) {
    if (err instanceof ApiKeyInputError) throw new CliError(err.message);
    throw err;
  } finally {
    await ds.destroy();
  }
}

function parseMode(raw: string): KeyMode {
  if (raw === 'live' || raw === 'test') return raw;
  throw new CliError(`--mode must be live or test (got "${raw}")`);
}

export function parseTime(flag: string, raw: string): Date {
  const time = new Date(raw);
  if (
    !isCalendarDate(raw) ||
    !/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(raw) ||
    Number.isNaN(time.getTime())
  ) {
    throw new CliError(`${flag} must be an ISO 8601 time like 2027-01-31T00:00:00Z (got "${raw}")`);
  }
  return time;
}

/** `Date` rolls 2027-02-30 over into March; an operator surely meant something else. */
function isCalendarDate(raw: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(raw);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const probe = new Date(Date.UTC(y, mo - 1, d));
  return probe.getUTCFullYear() === y && probe.getUTCMonth() === mo - 1 && probe.getUTCDate() === d;
}

function parseCount(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) {
    throw new CliError(`${flag} must be a positive whole number (got "${raw}")`);
  }
  return Number(raw);
}

/** Who ran the command, for the audit log. */
function cliActor(): string {
  try {
    return `cli:${os.userInfo().username}`;
  } catch {
    return 'cli';
  }
}

function createdJson(key: CreatedApiKey): Record<string, unknown> {
  // The first four fields are the contract (DESIGN.md §8); the rest follow them.
  return {
    id: key.id,
    key: key.key,
    prefix: key.prefix,
    scopes: key.scopes,
    tenant: key.tenant,
    mode: key.mode,
    label: key.label,
    expires_at: key.expiresAt?.toISOString() ?? null,
    rate_limit_per_minute: key.rateLimitPerMinute,
    daily_quota: key.dailyQuota,
    created_at: key.createdAt.toISOString(),
  };
}

function createdHuman(key: CreatedApiKey): string {
  return [
    `created ${key.mode} key ${key.id} for tenant ${key.tenant} (scopes: ${key.scopes.join(', ')})`,
    `  key: ${key.key}`,
    `  shown once: store it now, it cannot be shown again`,
  ].join('\n');
}

function viewJson(k: ApiKeyView): Record<string, unknown> {
  return {
    id: k.id,
    prefix: k.prefix,
    scopes: k.scopes,
    mode: k.mode,
    label: k.label,
    status: statusOf(k),
    rate_limit_per_minute: k.rateLimitPerMinute,
    daily_quota: k.dailyQuota,
    created_by: k.createdBy,
    created_at: k.createdAt.toISOString(),
    expires_at: k.expiresAt?.toISOString() ?? null,
    revoked_at: k.revokedAt?.toISOString() ?? null,
    last_used_at: k.lastUsedAt?.toISOString() ?? null,
  };
}

function viewLine(k: ApiKeyView): string {
  return [
    k.id,
    `${k.prefix}…`,
    statusOf(k),
    k.scopes.join(','),
    k.label ?? '-',
    `last used ${k.lastUsedAt?.toISOString() ?? 'never'}`,
  ].join('\t');
}

function statusOf(k: ApiKeyView): 'active' | 'revoked' | 'expired' {
  if (k.revokedAt) return 'revoked';
  if (k.expiresAt && k.expiresAt.getTime() <= Date.now()) return 'expired';
  return 'active';
}
