/** Query of `GET /api/v1/webhooks/{id}/deliveries`: paging plus an optional `status` filter. */
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsOptional } from 'class-validator';
import { DELIVERY_STATUSES, DeliveryStatus } from '../../endpoints/endpoint';
import { ListRequestDto } from '@herald/platform';

/** `?status=a&status=b`, `?status=a,b` or both → the statuses, each once, in a stable order. */
const statusList = ({ value }: { value: unknown }): unknown => {
  const parts = (Array.isArray(value) ? (value as unknown[]) : [value]).flatMap((v: unknown): unknown[] =>
    typeof v === 'string' ? v.split(',') : [v],
  );
  if (parts.some((p) => typeof p !== 'string')) return value;
  return [...new Set(parts as string[])].sort();
};

export class ListDeliveriesRequestDto extends ListRequestDto {
  /**
   * Only deliveries in these states: `pending`, `retrying`, `succeeded`, `dead`, `cancelled`. Repeat
   * the parameter or separate states with commas (`status=retrying,dead`).
   */
  @ApiPropertyOptional({ type: 'array', items: { type: 'string', enum: [...DELIVERY_STATUSES] } })
  @IsOptional()
  @Transform(statusList)
  @IsArray()
  @ArrayMaxSize(DELIVERY_STATUSES.length)
  @IsIn(DELIVERY_STATUSES, { each: true })
  status?: DeliveryStatus[];
}
