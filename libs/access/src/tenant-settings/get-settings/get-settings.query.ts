/** `GET /api/v1/settings`: the tenant's settings, one statement. */
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { HERALD_CONFIG, HeraldConfig, readAsTenant } from '@herald/platform';
import { DEFAULT_ROW, SETTINGS_COLUMNS, SettingsRow, settingsItem } from '../shared/settings.store';
import type { TenantSettingsResponseDto } from '../shared/settings.response.dto';

@Injectable()
export class GetSettingsQuery {
  constructor(
    private readonly ds: DataSource,
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
  ) {}

  async execute(tenant: string): Promise<TenantSettingsResponseDto> {
    const [row] = await readAsTenant<SettingsRow>(
      this.ds,
      tenant,
      `SELECT ${SETTINGS_COLUMNS} FROM tenant_settings WHERE tenant = $1`,
      [tenant],
    );
    return settingsItem(
      row ?? { ...DEFAULT_ROW, updated_at: new Date().toISOString().replace(/Z$/, '000Z') },
      this.config.retrySchedule,
    );
  }
}
