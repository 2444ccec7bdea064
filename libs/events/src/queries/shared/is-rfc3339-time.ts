/**
 * RFC 3339 exactly as the event contract checks it: the catalog's pattern plus a real
 * calendar date (class-validator's IsRFC3339 accepts a space separator and 31 February).
 */
import { buildMessage, ValidateBy, ValidationOptions } from 'class-validator';
import { parseRfc3339, RFC3339 } from '@herald/contracts';

const PATTERN = new RegExp(RFC3339);

export function IsRfc3339Time(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isRfc3339Time',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && PATTERN.test(value) && parseRfc3339(value) !== undefined,
        defaultMessage: buildMessage(
          (each) => `${each}$property must be an RFC 3339 time such as 2026-05-28T12:34:56.123456Z`,
          options,
        ),
      },
    },
    options,
  );
}
