/** Body of `POST /api/v1/webhooks/{id}/test`, optional: the type and data of the event to send. */
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsObject, ValidateBy, ValidateIf } from 'class-validator';
import { PUBLIC_TYPES, PublicType } from '@herald/contracts';

/** The largest `data` accepted, as JSON (UTF-8 bytes); the body's nesting is bounded when it is parsed. */
export const MAX_TEST_DATA_BYTES = 16 * 1024;

/** Optional, but never null: an absent field means the default, a null one is refused. */
const IfPresent = (): PropertyDecorator => ValidateIf((_: object, v: unknown) => v !== undefined);

const IsSmallJson = (): PropertyDecorator =>
  ValidateBy({
    name: 'isSmallJson',
    validator: {
      validate: (v: unknown) => Buffer.byteLength(JSON.stringify(v) ?? '', 'utf8') <= MAX_TEST_DATA_BYTES,
      defaultMessage: () => `data must be at most ${MAX_TEST_DATA_BYTES} bytes of JSON`,
    },
  });

export class SendTestEventRequestDto {
  /**
   * The public type of the event sent (default `webhook.test`). Any type of the catalogue, so a
   * receiver can be tried with the events it will get; only this endpoint receives it.
   */
  @ApiPropertyOptional({ enum: [...PUBLIC_TYPES], default: 'webhook.test' })
  @IfPresent()
  @IsIn(PUBLIC_TYPES)
  type?: PublicType;

  /**
   * The event's `data`, at most 16 KiB of JSON. For `webhook.test` its fields come beside
   * `endpoint_id` and `message`; for any other type it is the whole `data`, required and checked
   * against that type's schema.
   */
  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IfPresent()
  @IsObject()
  @IsSmallJson()
  data?: Record<string, unknown>;
}
