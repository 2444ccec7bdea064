/** `:id` of an API key: `key_` + a ULID for keys Herald mints (the pattern admits any id it stores). */
import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';

export const KEY_ID_PATTERN = '^key_[A-Za-z0-9_]{1,100}$';

export class KeyIdParamsDto {
  /** The key id, `key_` + a ULID. */
  @ApiProperty({ pattern: KEY_ID_PATTERN })
  @Matches(new RegExp(KEY_ID_PATTERN), { message: 'id must be an API key id (key_ + a ULID)' })
  id!: string;
}
