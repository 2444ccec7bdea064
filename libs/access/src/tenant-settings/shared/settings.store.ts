/**
 * Reads a tenant's settings row as the public object, in the caller's tenant transaction
 * (or one statement), with the deployment's retry schedule behind a tenant without its own.
 */
import type { EntityManager } from 'typeorm';
import { formatDuration } from './settings-rules';
import type { TenantSettingsResponseDto } from './settings.response.dto';

export interface SettingsRow {
  retry_schedule_ms: number[] | null;
  attempt_timeout_ms: number;
  auto_disable_threshold: number;
  rate_limit_per_minute: number;
  daily_quota: number | null;
  updated_at: string;
}

export const SETTINGS_COLUMNS = `retry_schedule_ms, attempt_timeout_ms, auto_disable_threshold, rate_limit_per_minute,
  daily_quota, to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS updated_at`;

/** A tenant without a row has the columns' defaults (every tenant is created with one). */
export const DEFAULT_ROW: Omit<SettingsRow, 'updated_at'> = {
  retry_schedule_ms: null,
  attempt_timeout_ms: 10_000,
  auto_disable_threshold: 20,
  rate_limit_per_minute: 600,
  daily_quota: null,
};

export function settingsItem(
  row: SettingsRow,
  defaultSchedule: readonly number[],
): TenantSettingsResponseDto {
  const own = row.retry_schedule_ms !== null && row.retry_schedule_ms.length > 0;
  return {
    retry_schedule: (own ? row.retry_schedule_ms! : defaultSchedule).map(formatDuration),
    retry_schedule_is_default: !own,
    attempt_timeout_ms: row.attempt_timeout_ms,
    auto_disable_threshold: row.auto_disable_threshold,
    default_rate_limit_per_minute: row.rate_limit_per_minute,
    default_daily_quota: row.daily_quota,
    updated_at: row.updated_at,
  };
}

/** The row, created with the defaults first if missing, locked for the rest of the transaction. */
export async function lockSettings(em: EntityManager, tenant: string): Promise<SettingsRow> {
  await em.query(`INSERT INTO tenant_settings (tenant) VALUES ($1) ON CONFLICT (tenant) DO NOTHING`, [
    tenant,
  ]);
  const rows: SettingsRow[] = await em.query(
    `SELECT ${SETTINGS_COLUMNS} FROM tenant_settings WHERE tenant = $1 FOR UPDATE`,
    [tenant],
  );
  return rows[0]!;
}
