/** The document's introduction: what a first-time integrator needs before any operation. */
import type { ErrorCode } from '../http/error-codes';
import type { JsonObject } from './json';

export function info(version: string, codes: readonly ErrorCode[]): JsonObject {
  const table = [
    '| status | code | meaning |',
    '|---|---|---|',
    ...codes.map((c) => `| ${c.status} | \`${c.code}\` | ${c.description.replace(/\|/g, '\\|')} |`),
  ].join('\n');
  return {
    title: 'Herald public API',
    version,
    summary: 'Read the public events of a community and manage the webhooks that deliver them.',
    description: [
      '## Tenants',
      'Each community is a tenant with its own host: `https://<tenant>.<base domain>/`. ' +
        'Everything a key can see or change belongs to the tenant of the host it was sent to.',
      '## Authentication',
      'Send an API key as `Authorization: Bearer mc_live_…` (or `mc_test_…`). Each operation ' +
        'lists the scopes the key needs: `events:read`, `users:read`, `posts:read`, ' +
        '`webhooks:read`, `webhooks:manage`, `keys:read`, `keys:manage`, `audit:read`, `settings:read`, ' +
        '`settings:manage`. Only HTTPS is answered.',
      '## Envelope',
      'Every response is JSON: `{"data": …, "meta": {"request_id": …}}` on success, ' +
        '`{"error": {"code", "message", "details"}, "meta": {"request_id": …}}` on failure. ' +
        'Every response carries `X-Request-Id` (yours, when you send a sane one) and the ' +
        '`RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` headers.',
      '## Pagination',
      'Lists take `limit` (1–100, default 50) and `cursor`, and return `meta.next_cursor` and ' +
        '`meta.has_more`. Pages never skip or repeat an item while new events arrive.',
      '## Errors',
      'Branch on `error.code`; messages are for humans and may change.\n\n' + table,
      '## Webhooks',
      'Each public event type is POSTed to the endpoints subscribed to it, signed with the ' +
        "endpoint's secret; see the webhook entries for the body and headers of each type.",
    ].join('\n\n'),
    license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
  };
}
