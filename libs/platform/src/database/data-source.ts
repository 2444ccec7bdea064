/**
 * The TypeORM data sources: migrations from migrations/. A process has up to three pools,
 * one per Postgres login (docs/operations.md, "Database roles"): the owner's (DATABASE_URL:
 * migrations and the operator's CLI), the system pool (HERALD_DATABASE_SYSTEM_URL, logged in
 * as `herald_system`: the roles' cross-tenant work, in system scope; the owner's pool when
 * unset) and the tenant pool (HERALD_DATABASE_APP_URL, logged in as `herald_app`) that
 * `withTenant` and `readAsTenant` use.
 */
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../../../migrations';
import { PLATFORM_ENTITIES } from './entities';

export interface DataSourceOptions {
  url: string;
  poolSize?: number;
  applicationName?: string;
  /** Extra entities registered by bounded-context libs. */
  entities?: Array<new () => unknown>;
  /**
   * `system` (the default, for the owner's and `herald_system`'s pools): its sessions set
   * `herald.system = on`, the opt-in those logins need to see every tenant's rows through
   * forced row-level security. `tenant`: the pool of the `herald_app` login, which sees a
   * tenant's rows only in its scope.
   */
  scope?: 'system' | 'tenant';
}

/**
 * The URL the roles' cross-tenant work connects to: the `herald_system` login when
 * configured, else the owner's. Everything but migrations and the CLI uses it.
 */
export function systemDatabaseUrl(config: {
  databaseUrl: string | undefined;
  databaseSystemUrl: string | undefined;
}): string | undefined {
  return config.databaseSystemUrl ?? config.databaseUrl;
}

/** The session setting that opts a system pool's sessions in to the `system_scope` policy. */
export const SYSTEM_SCOPE_OPTION = '-c herald.system=on';

export function createDataSource(opts: DataSourceOptions): DataSource {
  const { url, options } = splitStartupOptions(opts.url);
  const system = (opts.scope ?? 'system') === 'system';
  const startup = [options, system ? SYSTEM_SCOPE_OPTION : undefined].filter(Boolean).join(' ');
  return new DataSource({
    type: 'postgres',
    url,
    entities: [...PLATFORM_ENTITIES, ...(opts.entities ?? [])],
    migrations: MIGRATIONS,
    migrationsTableName: 'herald_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    extra: {
      max: opts.poolSize ?? 20,
      application_name: opts.applicationName ?? 'herald',
      connectionTimeoutMillis: 5000,
      ...(startup ? { options: startup } : {}),
    },
  });
}

/**
 * Takes the `options` parameter (server settings sent at connect, e.g.
 * `?options=-c%20search_path%3Dherald`) out of a connection URL. Left in, it would replace the
 * pool's own options rather than join them — and a system pool that lost `herald.system=on`
 * would see no tenant's rows.
 */
export function splitStartupOptions(url: string): { url: string; options: string | undefined } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { url, options: undefined }; // not ours to judge: the driver reports it
  }
  const options = parsed.searchParams.get('options');
  if (options === null) return { url, options: undefined };
  parsed.searchParams.delete('options');
  return { url: parsed.toString(), options: options.trim() || undefined };
}

/** Applies pending migrations; returns the names applied. */
export async function migrate(ds: DataSource): Promise<string[]> {
  const applied = await ds.runMigrations({ transaction: 'each' });
  return applied.map((m) => m.name);
}
