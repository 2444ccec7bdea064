/** The error codes of the webhook management routes beyond those every public route shares. */
import { ErrorCode } from '@herald/platform';

export const INVALID_ENDPOINT = new ErrorCode(
  'invalid_endpoint',
  422,
  'The endpoint is well-formed but cannot be accepted as given (a URL that is not https, unparsable or refused ' +
    'by the SSRF guard; no or unknown event types; a filter on a path none of its types has; a signing scheme ' +
    'change that needs a rotation); `details` lists each `{field, reason}`.',
);
export const ENDPOINT_NOT_FOUND = new ErrorCode(
  'endpoint_not_found',
  404,
  'No webhook endpoint with this id in the tenant (an id of another tenant is not found either).',
);
export const DELIVERY_NOT_FOUND = new ErrorCode(
  'delivery_not_found',
  404,
  'No delivery with this id in the tenant (an id of another tenant is not found either).',
);
export const ENDPOINT_DISABLED = new ErrorCode(
  'endpoint_disabled',
  409,
  'The endpoint is disabled (`active: false`); enable it with `PATCH {"active": true}` first.',
);
export const NO_PUBLIC_KEY = new ErrorCode(
  'no_public_key',
  409,
  'The endpoint signs with a shared secret (an HMAC scheme), so it has no public key: only ' +
    '`standard-webhooks-ed25519` endpoints do.',
);
export const INVALID_TEST_EVENT = new ErrorCode(
  'invalid_test_event',
  422,
  'The test event does not fit its type: `data` is missing for a type other than `webhook.test`, or does not ' +
    "match that type's schema; `details` says which field and why.",
);
