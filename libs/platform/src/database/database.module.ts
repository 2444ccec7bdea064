/** Provides the process-wide DataSource (initialised at boot, closed on shutdown). */
import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { HERALD_CONFIG, HeraldConfig } from '../config';
import { TenantDirectory } from '../tenancy/tenant-directory';
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
        const ds = createDataSource({ url: config.databaseUrl, applicationName: `herald-${process.pid}` });
        return ds.initialize();
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
    if (this.ds.isInitialized) await this.ds.destroy();
  }
}
