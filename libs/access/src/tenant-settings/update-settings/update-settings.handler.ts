/**
 * `PATCH /api/v1/settings`: checks every field first (nothing is saved when one is out
 * of bounds), then changes the row and appends `tenant_settings.updated` with the
 * changed fields before and after, in one tenant transaction. The row's trigger
 * announces the change on `herald_tenant_settings` as it commits: delivery workers drop
 * their cached copy, so the next delivery uses it; gateways drop their cached keys, so
 * the next request is limited by it.
 */
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { appendAudit, HERALD_CONFIG, HeraldConfig, withTenant } from '@herald/platform';
import { INVALID_SETTINGS } from '../shared/settings-errors';
import { checkSettingsPatch, formatDuration, SettingsChange } from '../shared/settings-rules';
import { lockSettings, SETTINGS_COLUMNS, SettingsRow, settingsItem } from '../shared/settings.store';
import type { TenantSettingsResponseDto } from '../shared/settings.response.dto';
import type { UpdateSettingsRequestDto } from './update-settings.request.dto';

/** Column → the field the API calls it, and how the audit row shows its value. */
const FIELDS: Record<keyof SettingsChange, { field: string; show: (v: unknown) => unknown }> = {
  retry_schedule_ms: {
    field: 'retry_schedule',
    show: (v) => (Array.isArray(v) && v.length > 0 ? (v as number[]).map(formatDuration) : null),
  },
  attempt_timeout_ms: { field: 'attempt_timeout_ms', show: (v) => v },
  auto_disable_threshold: { field: 'auto_disable_threshold', show: (v) => v },
  rate_limit_per_minute: { field: 'default_rate_limit_per_minute', show: (v) => v },
  daily_quota: { field: 'default_daily_quota', show: (v) => v },
};

@Injectable()
export class UpdateSettingsHandler {
  constructor(
    private readonly ds: DataSource,
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
  ) {}

  async execute(
    by: { tenant: string; actor: string },
    patch: UpdateSettingsRequestDto,
  ): Promise<TenantSettingsResponseDto> {
    const checked = checkSettingsPatch(patch);
    if ('problems' in checked) {
      throw INVALID_SETTINGS.error(checked.problems.map((p) => p.reason).join('; '), checked.problems);
    }
    return withTenant(this.ds, by.tenant, async (em) => {
      const row = await lockSettings(em, by.tenant);
      const before: Record<string, unknown> = {};
      const after: Record<string, unknown> = {};
      const sets: string[] = [];
      const params: unknown[] = [by.tenant];
      for (const [column, value] of Object.entries(checked.change) as Array<
        [keyof SettingsChange, unknown]
      >) {
        const { field, show } = FIELDS[column];
        const was = show(row[column]);
        const now = show(value);
        if (JSON.stringify(was) === JSON.stringify(now)) continue;
        before[field] = was;
        after[field] = now;
        sets.push(`${column} = $${params.push(value)}`);
      }
      if (sets.length === 0) return settingsItem(row, this.config.retrySchedule);
      const [changed]: [SettingsRow[], number] = await em.query(
        `UPDATE tenant_settings SET ${sets.join(', ')}, updated_at = now() WHERE tenant = $1
         RETURNING ${SETTINGS_COLUMNS}`,
        params,
      );
      await appendAudit(em, {
        tenant: by.tenant,
        actor: by.actor,
        action: 'tenant_settings.updated',
        targetType: 'tenant_settings',
        targetId: by.tenant,
        details: { before, after },
      });
      return settingsItem(changed[0]!, this.config.retrySchedule);
    });
  }
}
