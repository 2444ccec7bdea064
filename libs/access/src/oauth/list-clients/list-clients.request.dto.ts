/** Query of `GET /api/v1/clients`: paging (`limit`, `cursor`, `order` by creation) and `status`. */
import { IsIn, IsOptional } from 'class-validator';
import { ListRequestDto } from '@herald/platform';

export const CLIENT_STATUSES = ['active', 'revoked'] as const;
export type ClientStatus = (typeof CLIENT_STATUSES)[number];

export class ListClientsRequestDto extends ListRequestDto {
  /** Only clients in this state: `active` (not revoked) or `revoked`. All clients when absent. */
  @IsOptional()
  @IsIn(CLIENT_STATUSES)
  status?: ClientStatus;
}
