/**
 * Provides the process-wide DataSource, the owner's pool (initialised at boot, closed on
 * shutdown), and binds to it the tenant pool of the `herald_app` login when
 * HERALD_DATABASE_APP_URL is set (libs/platform/src/tenancy/tenant-pool.ts).
 */
import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { HERALD_CONFIG, HeraldConfig } from '../config';
import { TenantDirectory } from '../tenancy/tenant-directory';
import { bindTenantDataSource, tenantDataSource } from '../tenancy/tenant-pool';
import { TenantsRepository } from '../tenancy/tenants.repository';
import { createDataSource } from './data-source';

@Global()
@Module({
  providers: [
    {
      provide: DataSource,
      inject: [HERALD_CONFIG],
      useFactory: async (config: HeraldConfig): Promise<DataSource> => {
        if (!config.databaseUrl) throw new Error('DATABASE_URL is not set');
        const applicationName = `herald-${process.pid}`;
        const ds = await createDataSource({ url: config.databaseUrl, applicationName }).initialize();
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
