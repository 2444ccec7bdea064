/**
 * Provides the process-wide DataSource, the system pool (initialised at boot, closed on
 * shutdown): the `herald_system` login when HERALD_DATABASE_SYSTEM_URL is set, else the
 * owner's (DATABASE_URL). Binds to it the tenant pool of the `herald_app` login when
 * HERALD_DATABASE_APP_URL is set (libs/platform/src/tenancy/tenant-pool.ts). Roles never
 * need the owner: it only migrates (`herald migrate`, `herald dev`).
 */
import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { HERALD_CONFIG, HeraldConfig } from '../config';
import { TenantDirectory } from '../tenancy/tenant-directory';
import { bindTenantDataSource, tenantDataSource } from '../tenancy/tenant-pool';
import { TenantsRepository } from '../tenancy/tenants.repository';
import { createDataSource, systemDatabaseUrl } from './data-source';

@Global()
@Module({
  providers: [
    {
      provide: DataSource,
      inject: [HERALD_CONFIG],
      useFactory: async (config: HeraldConfig): Promise<DataSource> => {
        if (!config.databaseUrl) throw new Error('DATABASE_URL is not set');
        const applicationName = `herald-${process.pid}`;
        const ds = await createDataSource({
          url: systemDatabaseUrl(config) as string,
          applicationName,
        }).initialize();
        if (config.databaseAppUrl) {
          const app = createDataSource({ url: config.databaseAppUrl, applicationName, scope: 'tenant' });
          try {
            bindTenantDataSource(ds, await app.initialize());
          } catch (err) {
            await ds.destroy();
            throw err;
          }
        }
        return ds;
      },
    },
    {
      provide: TenantsRepository,
      inject: [DataSource],
      useFactory: (ds: DataSource) => new TenantsRepository(ds),
    },
    {
      provide: TenantDirectory,
      inject: [DataSource],
      useFactory: (ds: DataSource) => new TenantDirectory(ds),
    },
  ],
  exports: [DataSource, TenantsRepository, TenantDirectory],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly ds: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    const app = tenantDataSource(this.ds);
    if (app !== this.ds && app.isInitialized) await app.destroy();
    if (this.ds.isInitialized) await this.ds.destroy();
  }
}
