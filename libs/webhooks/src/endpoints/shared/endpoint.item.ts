/** A `webhook_endpoints` row as the public object (see WebhookEndpointResponseDto). */
import type { DisabledReason, EndpointFilters, SigningScheme } from '../endpoint';
import type { WebhookEndpointResponseDto } from './endpoint.response.dto';
import { publicTime } from './public-time';

/** The public columns, times formatted by Postgres; the grace window shows only while it runs. */
export interface EndpointItemRow {
  id: string;
  url: string;
  label: string | null;
  events: string[];
  filters: EndpointFilters;
  active: boolean;
  signing_scheme: SigningScheme;
  disabled_reason: DisabledReason | null;
  created_at: string;
  updated_at: string;
  previous_secret_expires_at: string | null;
}

export const endpointColumns = (e: string): string =>
  `${e}.id, ${e}.url, ${e}.label, ${e}.events, ${e}.filters, ${e}.active, ${e}.signing_scheme,
   ${e}.disabled_reason, ${publicTime(`${e}.created_at`)} AS created_at, ${publicTime(`${e}.updated_at`)} AS updated_at,
   CASE WHEN ${e}.previous_secret_expires_at > now()
        THEN ${publicTime(`${e}.previous_secret_expires_at`)} END AS previous_secret_expires_at`;

export function endpointItem(r: EndpointItemRow): WebhookEndpointResponseDto {
  return {
    id: r.id,
    url: r.url,
    label: r.label,
    events: r.events,
    filters: r.filters,
    active: r.active,
    signing_scheme: r.signing_scheme,
    disabled_reason: r.disabled_reason,
    created_at: r.created_at,
    updated_at: r.updated_at,
    ...(r.previous_secret_expires_at === null
      ? {}
      : { previous_secret_expires_at: r.previous_secret_expires_at }),
  };
}
