/**
 * The body of every delivery: Herald's public event envelope (`GET /api/v1/events/{id}`
 * returns the same object). `data` depends on `type`; see Herald's events reference.
 */
export interface WebhookEvent<TData extends object = Record<string, unknown>> {
  /** `evt_…`, stable across retries and replays of the event: dedupe on it. */
  id: string;
  /** Public event type, e.g. `post.created`. */
  type: string;
  /** RFC 3339 time the event was recorded. */
  created_at: string;
  data: TData;
}

/** The signing schemes an endpoint may use. */
export type SigningScheme =
  'mobieus-v1' | 'mobieus-v1-sha512' | 'standard-webhooks' | 'standard-webhooks-ed25519';

export const SIGNING_SCHEMES: readonly SigningScheme[] = [
  'mobieus-v1',
  'mobieus-v1-sha512',
  'standard-webhooks',
  'standard-webhooks-ed25519',
];

/** What a verified delivery carries besides its event. */
export interface VerifiedDelivery<TData extends object = Record<string, unknown>> {
  event: WebhookEvent<TData>;
  scheme: SigningScheme;
  /** Unix seconds the request was signed at. */
  timestamp: number;
  /** Which of the given secrets matched (its index in the list). */
  secretIndex: number;
  /** `v1_prev` when only the previous key's signature of a rotation matched (Mobieus schemes). */
  matched: 'v1' | 'v1_prev' | 'v1a';
}
