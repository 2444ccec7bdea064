/**
 * The request headers of one webhook attempt (DESIGN.md §7), signature included.
 * Pure: the same keys, message and timestamp give the same headers.
 */
import type { SigningScheme } from '../endpoints/endpoint';
import { ed25519WebhookSignature, mobieusSignature, standardWebhookSignature } from './signatures';

/** Plaintext signing keys of an endpoint: the current one and, during a rotation's grace window, the previous one. */
export interface SigningKeys {
  current: string;
  previous?: string;
}

export interface OutgoingWebhook {
  eventId: string;
  eventType: string;
  deliveryId: string;
  /** The exact bytes sent as the body (UTF-8 JSON of the public event). */
  body: string;
  /** Unix seconds of this attempt. */
  timestamp: number;
}

export const WEBHOOK_USER_AGENT = 'Mobieus-Webhook/1.0';

export function webhookHeaders(
  scheme: SigningScheme,
  keys: SigningKeys,
  message: OutgoingWebhook,
): Record<string, string> {
  const { eventId, eventType, deliveryId, body, timestamp } = message;
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new RangeError(`webhook timestamp must be whole unix seconds, got ${timestamp}`);
  }
  const common: Record<string, string> = {
    'Content-Type': 'application/json',
    'User-Agent': WEBHOOK_USER_AGENT,
    'Mobieus-Event-Id': eventId,
    'Mobieus-Event-Type': eventType,
    'Mobieus-Delivery-Id': deliveryId,
  };
  switch (scheme) {
    case 'mobieus-v1':
      return { ...common, 'Mobieus-Signature': mobieusSignature('sha256', keys, timestamp, body) };
    case 'mobieus-v1-sha512':
      return { ...common, 'Mobieus-Signature': mobieusSignature('sha512', keys, timestamp, body) };
    // webhook-id is the event id so it stays the same across retries: receivers dedupe on it.
    case 'standard-webhooks':
      return {
        ...common,
        'webhook-id': eventId,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': standardWebhookSignature(keys, eventId, timestamp, body),
      };
    case 'standard-webhooks-ed25519':
      return {
        ...common,
        'webhook-id': eventId,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': ed25519WebhookSignature(keys, eventId, timestamp, body),
      };
  }
}
