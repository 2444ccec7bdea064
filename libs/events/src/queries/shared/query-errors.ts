/** The error codes of the read routes beyond those every public route shares. */
import { ErrorCode } from '@herald/platform';

export const EVENT_NOT_FOUND = new ErrorCode(
  'event_not_found',
  404,
  'No event with this id in the tenant (an id of another tenant is not found either).',
);
export const USER_NOT_FOUND = new ErrorCode(
  'user_not_found',
  404,
  'No user with this id in the tenant (an id of another tenant is not found either).',
);
export const POST_NOT_FOUND = new ErrorCode(
  'post_not_found',
  404,
  'No post with this id in the tenant (an id of another tenant is not found either).',
);
