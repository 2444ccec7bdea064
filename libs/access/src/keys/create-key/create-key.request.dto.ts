/**
 * Body of `POST /api/v1/keys`. A body that does not fit this schema is a 400
 * `bad_request` naming each field; one that fits but cannot be accepted (an expiry that is
 * not in the future) is a 422 `invalid_api_key_input`.
 */
import { SCOPES, Scope } from '@herald/contracts';
import { IsRfc3339Time } from '@herald/platform';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { MAX_KEY_LIMIT, MAX_LABEL_LENGTH } from '../api-key-input';
import type { KeyMode } from '../api-key-secret';

const MODES: readonly KeyMode[] = ['live', 'test'];
/**
 * At least one character other than a space; no control characters (C0, DEL and C1: newlines,
 * tabs, NUL, …). Written without lookahead or Unicode classes, so every JSON Schema tool can use it.
 */
export const LABEL_PATTERN =
  '^[^\\x00-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x1f\\x7f-\\x9f]*$';

export class CreateApiKeyRequestDto {
  /** A name to recognise the key by: 1–100 printable characters, not only spaces. */
  @ApiProperty({ minLength: 1, maxLength: MAX_LABEL_LENGTH, pattern: LABEL_PATTERN })
  @IsString()
  @MaxLength(MAX_LABEL_LENGTH)
  @Matches(new RegExp(LABEL_PATTERN, 'u'), {
    message: 'label must contain a printable character and no control characters',
  })
  label!: string;

  /**
   * What the key may do; repeats are dropped. Only scopes the calling key holds itself can
   * be granted (403 `insufficient_scope` otherwise).
   */
  @ApiProperty({ type: [String], enum: SCOPES, minItems: 1, maxItems: SCOPES.length * 2 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(SCOPES.length * 2)
  @IsIn(SCOPES, { each: true })
  scopes!: Scope[];

  /** `live` (default) mints `mc_live_…`, `test` mints `mc_test_…`. */
  @ApiPropertyOptional({ enum: MODES })
  @IsOptional()
  @IsIn(MODES)
  mode?: KeyMode;

  /** When the key stops working, RFC 3339, in the future (422 otherwise). No expiry when absent. */
  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsRfc3339Time()
  expires_at?: string;

  /** The key's own requests per minute; the tenant's setting applies when absent. */
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_KEY_LIMIT })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_KEY_LIMIT)
  rate_limit_per_minute?: number;

  /** The key's own requests per UTC day; the tenant's setting applies when absent. */
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_KEY_LIMIT })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_KEY_LIMIT)
  daily_quota?: number;
}
