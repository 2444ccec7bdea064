/**
 * Query of `GET /api/v1/audit-log`: paging (newest first unless `order=asc`) plus
 * `action` (exact or `webhook_endpoint.*`), `actor`, `target_type`, `target_id`,
 * `since` (inclusive) and `until` (exclusive).
 */
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { IsRfc3339Time, ListRequestDto, RFC3339_QUERY_PATTERN, SortOrder } from '@herald/platform';

/** `tenant_settings.updated`, or every action under a prefix: `webhook_endpoint.*`. */
export const ACTION_FILTER = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*(\.\*)?$/;

export class ListAuditLogRequestDto extends ListRequestDto {
  /** `desc` (default): newest first; `asc`: oldest first. */
  @IsOptional()
  @IsIn(['asc', 'desc'])
  override order?: SortOrder = undefined;

  /** One action (`api_key.created`) or every action under a prefix (`webhook_endpoint.*`). */
  @ApiPropertyOptional({ pattern: ACTION_FILTER.source, maxLength: 100 })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  @Matches(ACTION_FILTER, {
    message: 'action must be an action like api_key.created or a prefix like api_key.*',
  })
  action?: string;

  /** Who acted, exactly as rows show it: `key:<key id>`, `system`, `cli:<user>`. */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  actor?: string;

  /** `api_key`, `webhook_endpoint` or `tenant_settings`. */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  target_type?: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  target_id?: string;

  /** Only rows written at or after this RFC 3339 time. */
  @ApiPropertyOptional({ format: 'date-time', pattern: RFC3339_QUERY_PATTERN })
  @IsOptional()
  @IsRfc3339Time()
  since?: string;

  /** Only rows written before this RFC 3339 time. */
  @ApiPropertyOptional({ format: 'date-time', pattern: RFC3339_QUERY_PATTERN })
  @IsOptional()
  @IsRfc3339Time()
  until?: string;
}
