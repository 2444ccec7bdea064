/** `:delivery_id` of a delivery: `dlv_` + a ULID. */
import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';

export const DELIVERY_ID_PATTERN = '^dlv_[0-7][0-9A-HJKMNP-TV-Z]{25}$';

export class DeliveryIdParamsDto {
  /** The delivery id, `dlv_` + a ULID. */
  @ApiProperty({ pattern: DELIVERY_ID_PATTERN })
  @Matches(new RegExp(DELIVERY_ID_PATTERN), { message: 'delivery_id must be a delivery id (dlv_ + a ULID)' })
  delivery_id!: string;
}
