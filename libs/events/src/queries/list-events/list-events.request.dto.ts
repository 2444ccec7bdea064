/** Query of `GET /api/v1/events`: paging plus `type`, `since` (inclusive) and `until` (exclusive). */
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength, ValidateBy } from 'class-validator';
import { parseRfc3339 } from '@herald/contracts';
import { BYTES_CURSOR_PATTERN, IsRfc3339Time, RFC3339_QUERY_PATTERN } from '@herald/platform';
import { ListRequestDto } from '@herald/platform';
import { IsEventTypeFilter, TYPE_FILTERS } from './event-type-filter';

/** Microseconds since the epoch, as a bigint so no precision is lost comparing. */
export function epochMicros(text: string): bigint | undefined {
  const i = parseRfc3339(text);
  return i ? BigInt(i.epochSeconds) * 1_000_000n + BigInt(i.micros) : undefined;
}

/** `until` must lie after `since`; an empty window is a mistake worth a 400. */
const IsAfterSince = (): PropertyDecorator =>
  ValidateBy({
    name: 'isAfterSince',
    validator: {
      validate: (until: unknown, args) => {
        const since = (args?.object as { since?: unknown } | undefined)?.since;
        if (typeof since !== 'string' || typeof until !== 'string') return true;
        const a = epochMicros(since);
        const b = epochMicros(until);
        return a === undefined || b === undefined || b > a;
      },
      defaultMessage: () => 'until must be later than since',
    },
  });

export class ListEventsRequestDto extends ListRequestDto {
  /**
   * `meta.next_cursor` of the previous page, sent with the same filters and order. Opaque;
   * valid only for the tenant and query that issued it, otherwise 400 `invalid_cursor`. It
   * holds positions in the public log, so it stays valid across a rebuild of the read model.
   */
  @ApiPropertyOptional({ pattern: BYTES_CURSOR_PATTERN })
  @IsOptional()
  @IsString()
  // An entry per partition of the public topic the tenant's events lie in (up to 256).
  @MaxLength(4096)
  declare cursor?: string;

  /** One public type (`post.created`) or every type under a prefix (`post.*`). */
  @ApiPropertyOptional({ enum: TYPE_FILTERS })
  @IsOptional()
  @IsString()
  @IsEventTypeFilter()
  type?: string;

  /** Only events created at or after this RFC 3339 time (compared to the microsecond). */
  @ApiPropertyOptional({ format: 'date-time', pattern: RFC3339_QUERY_PATTERN })
  @IsOptional()
  @IsRfc3339Time()
  since?: string;

  /** Only events created before this RFC 3339 time; must be later than `since`. */
  @ApiPropertyOptional({ format: 'date-time', pattern: RFC3339_QUERY_PATTERN })
  @IsOptional()
  @IsRfc3339Time()
  @IsAfterSince()
  until?: string;
}
