/** The paging parameters every public list accepts: `limit`, `cursor`, `order`. */
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { CURSOR_PATTERN } from './cursor';

/** `asc`: oldest first, in the order items were added; `desc`: newest first. */
export type SortOrder = 'asc' | 'desc';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 100;

/** Only plain decimal digits become a number; "1e1", "0x10" or " 5" stay strings and fail IsInt. */
const decimal = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^[0-9]{1,6}$/.test(value) ? Number(value) : value;

export class ListRequestDto {
  /** Items per page, 1–100 (default 50). A page may be the last one even when full: trust `meta.has_more`. */
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT })
  @IsOptional()
  @Transform(decimal)
  @IsInt()
  @Min(1)
  @Max(MAX_LIMIT)
  limit?: number;

  /**
   * `meta.next_cursor` of the previous page, sent with the same filters and order. Opaque;
   * valid only for the tenant and query that issued it, otherwise 400 `invalid_cursor`.
   */
  @ApiPropertyOptional({ pattern: CURSOR_PATTERN })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;

  /** `asc` (default): oldest first, in the order items were added; `desc`: newest first. */
  @IsOptional()
  @IsIn(['asc', 'desc'])
  order?: SortOrder;
}
