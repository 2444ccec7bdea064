/**
 * Body of `PATCH /api/v1/settings`: any of the settings; absent fields stay as they are.
 * JSON types are checked here (400 `bad_request`), bounds by the settings rules (422
 * `invalid_settings`).
 */
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, ValidateBy } from 'class-validator';

const IsScheduleShape = (): PropertyDecorator =>
  ValidateBy({
    name: 'isScheduleShape',
    validator: {
      validate: (v: unknown) =>
        (typeof v === 'string' && v.length <= 500) ||
        (Array.isArray(v) && v.length <= 100 && v.every((s) => typeof s === 'string' && s.length <= 20)),
      defaultMessage: () =>
        'retry_schedule must be an array of durations like ["0", "1m", "5m"], the same as one string "0,1m,5m", or null',
    },
  });

export class UpdateSettingsRequestDto {
  /**
   * The delay before each attempt, with units (`ms`, `s`, `m`, `h`, `d`; `0` for at once): an array
   * like `["0", "1m", "5m"]` or one string `"0,1m,5m"`. 1–20 steps, each at most `7d`, none shorter
   * than the one before. `null` returns to the deployment's schedule.
   */
  @ApiPropertyOptional({
    oneOf: [{ type: 'array', items: { type: 'string', example: '5m' } }, { type: 'string' }],
    nullable: true,
    example: ['0', '1m', '5m', '30m', '2h', '6h', '24h'],
  })
  @IsOptional()
  @IsScheduleShape()
  retry_schedule?: string | string[] | null;

  /** How long one attempt may take, in milliseconds: 100–60000. */
  @IsOptional()
  @IsInt()
  attempt_timeout_ms?: number;

  /** Consecutive dead deliveries after which an endpoint is disabled: 1–1000. */
  @IsOptional()
  @IsInt()
  auto_disable_threshold?: number;

  /** Requests per minute of keys without a limit of their own: 1–1000000. */
  @IsOptional()
  @IsInt()
  default_rate_limit_per_minute?: number;

  /** Requests per UTC day of keys without a quota of their own: 1–1000000000, or null for none. */
  @ApiPropertyOptional({ type: 'integer', nullable: true })
  @IsOptional()
  @IsInt()
  default_daily_quota?: number | null;
}
