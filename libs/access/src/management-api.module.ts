/**
 * The tenant administration routes of the public API that the admin console calls: the
 * audit log and the tenant's settings. Served by the gateway.
 */
import { Module } from '@nestjs/common';
import { CursorCodec, HERALD_CONFIG, HeraldConfig } from '@herald/platform';
import { ListAuditLogHttpController } from './audit-log/list-audit-log/list-audit-log.http.controller';
import { ListAuditLogQuery } from './audit-log/list-audit-log/list-audit-log.query';
import { GetSettingsHttpController } from './tenant-settings/get-settings/get-settings.http.controller';
import { GetSettingsQuery } from './tenant-settings/get-settings/get-settings.query';
import { UpdateSettingsHandler } from './tenant-settings/update-settings/update-settings.handler';
import { UpdateSettingsHttpController } from './tenant-settings/update-settings/update-settings.http.controller';

@Module({
  controllers: [ListAuditLogHttpController, GetSettingsHttpController, UpdateSettingsHttpController],
  providers: [
    {
      provide: CursorCodec,
      inject: [HERALD_CONFIG],
      useFactory: (config: HeraldConfig) => CursorCodec.fromMasterKey(config.masterKey),
    },
    ListAuditLogQuery,
    GetSettingsQuery,
    UpdateSettingsHandler,
  ],
})
export class ManagementApiModule {}
