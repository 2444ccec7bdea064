/**
 * The TypeORM data sources: migrations from migrations/. A process has the owner's pool
 * (DATABASE_URL: migrations and cross-tenant work, in system scope) and, when configured,
 * the tenant pool (HERALD_DATABASE_APP_URL, logged in as `herald_app`) that `withTenant`
 * and `readAsTenant` use. See docs/operations.md, "Database roles".
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
   * `system` (the default, for the owner's pool): its sessions set `herald.system = on`, the
   * opt-in the owner needs to see every tenant's rows through forced row-level security.
   * `tenant`: the pool of the `herald_app` login, which sees a tenant's rows only in its scope.
   */
  scope?: 'system' | 'tenant';
}

export function createDataSource(opts: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: opts.url,
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
      ...((opts.scope ?? 'system') === 'system' ? { options: '-c herald.system=on' } : {}),
    },
  });
}

/** Applies pending migrations; returns the names applied. */
export async function migrate(ds: DataSource): Promise<string[]> {
  const applied = await ds.runMigrations({ transaction: 'each' });
  return applied.map((m) => m.name);
}
