/** The TypeORM data source: one pool per process, migrations from migrations/. */
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../../../migrations';
import { PLATFORM_ENTITIES } from './entities';

export interface DataSourceOptions {
  url: string;
  poolSize?: number;
  applicationName?: string;
  /** Extra entities registered by bounded-context libs. */
  entities?: Array<new () => unknown>;
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
    },
  });
}

/** Applies pending migrations; returns the names applied. */
export async function migrate(ds: DataSource): Promise<string[]> {
  const applied = await ds.runMigrations({ transaction: 'each' });
  return applied.map((m) => m.name);
}
