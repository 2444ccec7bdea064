/** A tenant's settings as the API shows them (`GET`/`PATCH /api/v1/settings`). */
export class TenantSettingsResponseDto {
  /**
   * The delay before each delivery attempt, with units (`0`, `30s`, `5m`, `2h`, `1d`); its length is
   * the number of attempts. Jittered by ±10 % when applied.
   */
  retry_schedule!: string[];

  /** True while the tenant has no schedule of its own and the deployment's (HERALD_RETRY_SCHEDULE) applies. */
  retry_schedule_is_default!: boolean;

  /** How long one delivery attempt may take, in milliseconds (100–60000). */
  attempt_timeout_ms!: number;

  /** Consecutive dead deliveries after which an endpoint is disabled (1–1000). */
  auto_disable_threshold!: number;

  /** Requests per minute of every API key of the tenant that has no limit of its own. */
  default_rate_limit_per_minute!: number;

  /** Requests per UTC day of every API key of the tenant that has no quota of its own; null: no quota. */
  default_daily_quota!: number | null;

  /** When the settings last changed. */
  updated_at!: string;
}
