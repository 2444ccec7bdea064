/** `:id` of a webhook endpoint: `ep_` + a ULID. */
import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';

export const ENDPOINT_ID_PATTERN = '^ep_[0-7][0-9A-HJKMNP-TV-Z]{25}$';

export class EndpointIdParamsDto {
  /** The endpoint id, `ep_` + a ULID. */
  @ApiProperty({ pattern: ENDPOINT_ID_PATTERN })
  @Matches(new RegExp(ENDPOINT_ID_PATTERN), { message: 'id must be a webhook endpoint id (ep_ + a ULID)' })
  id!: string;
}
