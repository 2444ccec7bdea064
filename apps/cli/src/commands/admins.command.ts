/**
 * `herald admins create|list|disable`: the admins who log in to a tenant's console at /admin.
 * A generated password is printed once, at create; `--password-stdin` reads one instead.
 */
import * as os from 'node:os';
import { AdminInputError, AdminsRepository, AdminView, ApiKeyInputError } from '@herald/access';
import { createDataSource, HeraldConfig } from '@herald/platform';
import type { Command } from 'commander';
import type { DataSource } from 'typeorm';
import { CliError, connectedConfig, output, OutputOptions } from '../cli-context';

interface CreateOptions extends OutputOptions {
  tenant: string;
  email: string;
  passwordStdin?: boolean;
}

interface TenantOptions extends OutputOptions {
  tenant: string;
}

interface DisableOptions extends TenantOptions {
  email: string;
}

export function registerAdmins(program: Command): void {
  const admins = program.command('admins').description("manage a tenant's admin console users");

  admins
    .command('create')
    .description('create an admin (a generated password is printed once: store it)')
    .requiredOption('--tenant <slug>', 'tenant the admin belongs to')
    .requiredOption('--email <email>', 'the email the admin logs in with')
    .option('--password-stdin', 'read the password from standard input instead of generating one')
    .option('--json', 'machine-readable output')
    .action(async (opts: CreateOptions) => {
      const password = opts.passwordStdin ? await readPasswordFromStdin() : undefined;
      const { admin, baseDomain } = await withRepository(async (repo, config) => ({
        admin: await repo.create({ tenant: opts.tenant, email: opts.email, password, actor: cliActor() }),
        baseDomain: config.baseDomain,
      }));
      const url = `https://${admin.tenant}.${baseDomain}/admin`;
      if (admin.generatedPassword !== undefined) {
        output(
          opts,
          { email: admin.email, password: admin.generatedPassword },
          [
            `created admin ${admin.email} for tenant ${admin.tenant} (log in at ${url})`,
            `  password: ${admin.generatedPassword}`,
            `  shown once: store it now, it cannot be shown again`,
          ].join('\n'),
        );
      } else {
        output(
          opts,
          { email: admin.email },
          `created admin ${admin.email} for tenant ${admin.tenant} (log in at ${url})`,
        );
      }
    });

  admins
    .command('list')
    .description("list a tenant's admins (never their passwords)")
    .requiredOption('--tenant <slug>', 'tenant')
    .option('--json', 'machine-readable output')
    .action(async (opts: TenantOptions) => {
      const list = await withRepository((repo) => repo.list(opts.tenant));
      output(opts, list.map(viewJson), list.map(viewLine).join('\n') || `no admins in ${opts.tenant}`);
    });

  admins
    .command('disable')
    .description('disable an admin and end their sessions (disabling twice is a no-op)')
    .requiredOption('--tenant <slug>', 'tenant the admin belongs to')
    .requiredOption('--email <email>', "the admin's email")
    .option('--json', 'machine-readable output')
    .action(async (opts: DisableOptions) => {
      const res = await withRepository((repo) => repo.disable(opts.tenant, opts.email, cliActor()));
      output(
        opts,
        {
          ...viewJson(res.admin),
          already_disabled: res.alreadyDisabled,
          revoked_sessions: res.revokedSessions,
        },
        res.alreadyDisabled
          ? `admin ${res.admin.email} was already disabled at ${res.admin.disabledAt?.toISOString()}`
          : `disabled admin ${res.admin.email} (${res.revokedSessions} session(s) ended)`,
      );
    });
}

async function withRepository<T>(
  work: (repo: AdminsRepository, config: HeraldConfig) => Promise<T>,
): Promise<T> {
  const config = connectedConfig({ database: true });
  const ds: DataSource = await createDataSource({ url: config.databaseUrl!, poolSize: 1 }).initialize();
  try {
    return await work(new AdminsRepository(ds), config);
  } catch (err) {
    if (err instanceof AdminInputError || err instanceof ApiKeyInputError) throw new CliError(err.message);
    throw err;
  } finally {
    await ds.destroy();
  }
}

/** The first line of standard input (a trailing newline is not part of the password). */
async function readPasswordFromStdin(): Promise<string> {
  if (process.stdin.isTTY) {
    throw new CliError(
      '--password-stdin reads the password from a pipe, e.g. `printf %s "$PW" | herald admins create …`',
    );
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  const password = text.replace(/\r?\n$/, '');
  if (password.includes('\n')) throw new CliError('--password-stdin expects one line');
  if (password === '') throw new CliError('--password-stdin read an empty password');
  return password;
}

/** Who ran the command, for the audit log. */
function cliActor(): string {
  try {
    return `cli:${os.userInfo().username}`;
  } catch {
    return 'cli';
  }
}

function statusOf(a: AdminView): 'active' | 'disabled' | 'locked' {
  if (a.disabledAt) return 'disabled';
  if (a.lockedUntil && a.lockedUntil.getTime() > Date.now()) return 'locked';
  return 'active';
}

function viewJson(a: AdminView): Record<string, unknown> {
  return {
    id: a.id,
    email: a.email,
    status: statusOf(a),
    created_at: a.createdAt.toISOString(),
    last_login_at: a.lastLoginAt?.toISOString() ?? null,
    locked_until: a.lockedUntil?.toISOString() ?? null,
    disabled_at: a.disabledAt?.toISOString() ?? null,
  };
}

function viewLine(a: AdminView): string {
  return [a.email, statusOf(a), `last login ${a.lastLoginAt?.toISOString() ?? 'never'}`].join('\t');
}
