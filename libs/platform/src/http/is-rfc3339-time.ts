/**
 * RFC 3339 exactly as the event contract checks it (the catalog's pattern plus a real
 * calendar date). class-validator's own IsRFC3339 is looser (lower-case `t`/`z`, a space
 * separator, 31 February), which would turn a DTO that passed into a 400 `invalid_events`
 * from the appender instead of a field-level `bad_request`. Every DTO time (command
 * bodies, list filters) uses this one.
 */
import { parseRfc3339, RFC3339 } from '@herald/contracts';
import { buildMessage, ValidateBy, ValidationOptions } from 'class-validator';

const PATTERN = new RegExp(RFC3339);

export function isRfc3339Time(value: unknown): boolean {
  return typeof value === 'string' && PATTERN.test(value) && parseRfc3339(value) !== undefined;
}

export function IsRfc3339Time(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isRfc3339Time',
      validator: {
        validate: isRfc3339Time,
        defaultMessage: buildMessage(
          (each) => `${each}$property must be an RFC 3339 time such as 2026-05-28T12:34:56.123456Z`,
          options,
        ),
      },
    },
    options,
  );
}

/**
 * What a time query parameter checked by IsRfc3339Time accepts, for the API document: the
 * RFC 3339 pattern of the event contract narrowed to the years it reads (0100–9999).
 */
export const RFC3339_QUERY_PATTERN =
  '^(0[1-9]\\d{2}|[1-9]\\d{3})-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}:\\d{2})$';
