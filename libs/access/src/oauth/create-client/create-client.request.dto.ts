/**
 * Body of `POST /api/v1/clients`. A body that does not fit this schema is a 400
 * `bad_request` naming each field.
 */
import { SCOPES, Scope } from '@herald/contracts';
import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsString, Matches, MaxLength } from 'class-validator';
import { MAX_LABEL_LENGTH } from '../../keys/api-key-input';
import { LABEL_PATTERN } from '../../keys/create-key/create-key.request.dto';

export class CreateOAuthClientRequestDto {
  /** A name to recognise the client by: 1–100 printable characters, not only spaces. */
  @ApiProperty({ minLength: 1, maxLength: MAX_LABEL_LENGTH, pattern: LABEL_PATTERN })
  @IsString()
  @MaxLength(MAX_LABEL_LENGTH)
  @Matches(new RegExp(LABEL_PATTERN, 'u'), {
    message: 'label must contain a printable character and no control characters',
  })
  label!: string;

  /**
   * What the client's tokens may do; repeats are dropped. Only scopes the calling key holds
   * itself can be granted (403 `insufficient_scope` otherwise).
   */
  @ApiProperty({ type: [String], enum: SCOPES, minItems: 1, maxItems: SCOPES.length * 2 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(SCOPES.length * 2)
  @IsIn(SCOPES, { each: true })
  scopes!: Scope[];
}
