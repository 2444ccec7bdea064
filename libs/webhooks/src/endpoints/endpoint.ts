/** The webhook endpoint and delivery vocabulary shared by the management API, the dispatcher and the workers. */

export const SIGNING_SCHEMES = [
  'mobieus-v1',
  'mobieus-v1-sha512',
  'standard-webhooks',
  'standard-webhooks-ed25519',
] as const;
export type SigningScheme = (typeof SIGNING_SCHEMES)[number];
export const DEFAULT_SIGNING_SCHEME: SigningScheme = 'mobieus-v1';

export const DELIVERY_STATUSES = ['pending', 'retrying', 'succeeded', 'dead', 'cancelled'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** Why an endpoint stopped receiving: an operator, a `410 Gone`, or too many dead deliveries in a row. */
export type DisabledReason = 'manual' | 'gone' | 'consecutive_failures';

/** Payload filters: dotted path into the public event → the value it must equal. */
export type EndpointFilters = Record<string, string | number | boolean | null>;

/** A `webhook_endpoints` row as stored (secrets still sealed). */
export interface EndpointRow {
  id: string;
  tenant: string;
  url: string;
  label: string | null;
  events: string[];
  filters: EndpointFilters;
  active: boolean;
  signing_scheme: SigningScheme;
  disabled_reason: DisabledReason | null;
  secret_key_id: string;
  secret_sealed: Buffer;
  previous_secret_key_id: string | null;
  previous_secret_sealed: Buffer | null;
  previous_secret_expires_at: Date | null;
  consecutive_dead: number;
  created_at: Date;
  updated_at: Date;
}
