/** `:id` of a public event: `evt_` + a ULID. */
import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';
import { PUBLIC_ID_PATTERN } from '@herald/contracts';

export class GetEventParamsDto {
  /** The event id, `evt_` + a ULID. */
  @ApiProperty({ pattern: PUBLIC_ID_PATTERN })
  @Matches(new RegExp(PUBLIC_ID_PATTERN), { message: 'id must be a public event id (evt_ + a ULID)' })
  id!: string;
}
