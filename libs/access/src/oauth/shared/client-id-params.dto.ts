/** `:id` of an OAuth client: `client_` + a ULID for clients Herald mints (the pattern admits any id it stores). */
import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';

export const CLIENT_ID_PATTERN = '^client_[A-Za-z0-9_]{1,100}$';

export class ClientIdParamsDto {
  /** The client id, `client_` + a ULID. */
  @ApiProperty({ pattern: CLIENT_ID_PATTERN })
  @Matches(new RegExp(CLIENT_ID_PATTERN), { message: 'id must be an OAuth client id (client_ + a ULID)' })
  id!: string;
}
