/** Query of `GET /api/v1/webhooks/{id}/deliveries`: paging plus an optional `status`. */
import { IsIn, IsOptional } from 'class-validator';
import { DELIVERY_STATUSES, DeliveryStatus } from '../../endpoints/endpoint';
import { ListRequestDto } from '@herald/platform';

export class ListDeliveriesRequestDto extends ListRequestDto {
  /** Only deliveries in this state: `pending`, `retrying`, `succeeded`, `dead` or `cancelled`. */
  @IsOptional()
  @IsIn(DELIVERY_STATUSES)
  status?: DeliveryStatus;
}
