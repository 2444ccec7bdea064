/** An `oauth_clients` row, with its last 24 h of usage, as the public object (see OAuthClientResponseDto). */
import { isScope } from '@herald/contracts';
import { publicTime } from '../../keys/shared/api-key.item';
import type { OAuthClientResponseDto } from './oauth-client.response.dto';

export interface OAuthClientItemRow {
  id: string;
  label: string | null;
  secret_prefix: string;
  scopes: string[];
  revoked_at: string | null;
  created_at: string;
  last_used_at: string | null;
  /** bigint sums arrive as text. */
  usage_requests: string;
  usage_errors: string;
}

/** The public columns of `oauth_clients c` joined by `oauthClientsWithUsage`, times formatted by Postgres. */
export const OAUTH_CLIENT_COLUMNS = `c.id, c.label, c.secret_prefix, c.scopes,
   ${publicTime('c.revoked_at')} AS revoked_at, ${publicTime('c.created_at')} AS created_at,
   ${publicTime('c.last_used_at')} AS last_used_at,
   u.requests AS usage_requests, u.errors AS usage_errors`;

/** `oauth_clients c` with `u`, its usage since the hour in parameter `windowParam` (`$2`). */
export const oauthClientsWithUsage = (windowParam: string): string =>
  `oauth_clients c
   CROSS JOIN LATERAL (
     SELECT coalesce(sum(x.requests), 0)::text AS requests, coalesce(sum(x.errors), 0)::text AS errors
     FROM oauth_client_usage x
     WHERE x.client_id = c.id AND x.tenant = c.tenant AND x.hour >= ${windowParam}) u`;

export function oauthClientItem(r: OAuthClientItemRow): OAuthClientResponseDto {
  return {
    id: r.id,
    label: r.label,
    secret_prefix: r.secret_prefix,
    scopes: r.scopes.filter(isScope),
    revoked_at: r.revoked_at,
    created_at: r.created_at,
    last_used_at: r.last_used_at,
    usage_24h: { requests: Number(r.usage_requests), errors: Number(r.usage_errors) },
  };
}
