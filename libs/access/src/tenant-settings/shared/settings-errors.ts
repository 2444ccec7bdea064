/** The error code of the settings routes beyond those every public route shares. */
import { ErrorCode } from '@herald/platform';

export const INVALID_SETTINGS = new ErrorCode(
  'invalid_settings',
  422,
  'The settings are well-formed but out of bounds (a retry schedule step that is not a duration, longer than 7 ' +
    'days or shorter than the one before, more than 20 steps, a number out of its range); `details` lists each ' +
    '`{field, reason}` and nothing was saved.',
);
