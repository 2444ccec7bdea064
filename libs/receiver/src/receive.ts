/**
 * What every framework adapter does with one delivery, as a plain function returning the
 * HTTP answer: verify → claim the event id → run the handler → complete (or release on a
 * throw). Nothing is acknowledged before the handler finished:
 *
 * | case                                        | status                      |
 * |---------------------------------------------|-----------------------------|
 * | handled                                     | 200                         |
 * | already processed (a retry or replay)       | 200, handler not called     |
 * | being processed by a concurrent delivery    | 503 + `Retry-After`         |
 * | handler threw (claim released)              | 500                         |
 * | missing or wrong signature                  | 401                         |
 * | missing, stale or future timestamp; malformed | 400                       |
 *
 * 503 rather than 409 because Herald (like most senders) retries both, and honours
 * `Retry-After` on 503: the retry comes once the first delivery has likely finished.
 */
import type { DedupeStore } from './dedupe/dedupe-store';
import { WebhookVerificationError } from './errors';
import type { VerifiedDelivery, WebhookEvent } from './event';
import type { WebhookHeaders } from './headers';
import { RawBody, verifyDelivery, VerifyOptions, WebhookSecrets } from './verify';

export interface ReceiverOptions extends VerifyOptions {
  /** The endpoint's secret(s), or `whpk_` public key(s) for `standard-webhooks-ed25519`. */
  secrets: WebhookSecrets;
  /** Where processed event ids are remembered. Without one every verified delivery runs the handler. */
  store?: DedupeStore;
  /** How long a claim holds before it lapses (a crashed handler). Default 60 s. */
  claimTtlMs?: number;
  /** `Retry-After` (seconds) sent with the 503 for a delivery already in progress. Default 5. */
  retryAfterSeconds?: number;
  /** Told about handler errors and store failures (never about secrets). */
  onError?: (err: unknown, event: WebhookEvent<object> | undefined) => void;
}

export interface ReceiverAnswer {
  status: number;
  headers: Record<string, string>;
  body: { received: boolean; duplicate?: boolean; error?: { code: string; message: string } };
}

export type Outcome<TData extends object> =
  | { kind: 'refused'; answer: ReceiverAnswer }
  | { kind: 'duplicate' | 'in_progress'; answer: ReceiverAnswer; delivery: VerifiedDelivery<TData> }
  | { kind: 'claimed'; delivery: VerifiedDelivery<TData> };

export const DEFAULT_CLAIM_TTL_MS = 60_000;

const json = { 'content-type': 'application/json' };

export function refusal(code: string, message: string, status: number): ReceiverAnswer {
  return { status, headers: json, body: { received: false, error: { code, message } } };
}

export const HANDLED: ReceiverAnswer = { status: 200, headers: json, body: { received: true } };
export const HANDLER_FAILED: ReceiverAnswer = refusal(
  'handler_failed',
  'the handler failed; retry later',
  500,
);

/** Verifies and claims; the caller runs the handler only for `claimed`, then calls `settle`. */
export async function admit<TData extends object = Record<string, unknown>>(
  headers: WebhookHeaders,
  rawBody: RawBody,
  options: ReceiverOptions,
): Promise<Outcome<TData>> {
  let delivery: VerifiedDelivery<TData>;
  try {
    delivery = verifyDelivery<TData>(headers, rawBody, options.secrets, options);
  } catch (err) {
    if (err instanceof WebhookVerificationError) {
      return { kind: 'refused', answer: refusal(err.code, err.message, err.status) };
    }
    throw err;
  }
  if (!options.store) return { kind: 'claimed', delivery };
  const claim = await options.store.claim(delivery.event.id, options.claimTtlMs ?? DEFAULT_CLAIM_TTL_MS);
  switch (claim) {
    case 'claimed':
      return { kind: 'claimed', delivery };
    case 'duplicate':
      return {
        kind: 'duplicate',
        delivery,
        answer: { ...HANDLED, body: { received: true, duplicate: true } },
      };
    case 'in_progress': {
      const answer = refusal('in_progress', 'this event is being processed; retry later', 503);
      answer.headers = { ...answer.headers, 'retry-after': String(options.retryAfterSeconds ?? 5) };
      return { kind: 'in_progress', delivery, answer };
    }
  }
}

/** After the handler of a `claimed` delivery: completes the claim, or releases it when the handler failed. */
export async function settle(
  options: ReceiverOptions,
  event: WebhookEvent<object>,
  failure?: { error: unknown },
): Promise<void> {
  if (failure) options.onError?.(failure.error, event);
  if (!options.store) return;
  if (failure) await options.store.release(event.id);
  else await options.store.complete(event.id);
}

/** The whole exchange for one request: for adapters, and for frameworks this package has none for. */
export async function receiveWebhook<TData extends object = Record<string, unknown>>(
  headers: WebhookHeaders,
  rawBody: RawBody,
  options: ReceiverOptions,
  handler: (event: WebhookEvent<TData>, delivery: VerifiedDelivery<TData>) => unknown,
): Promise<ReceiverAnswer> {
  const outcome = await admit<TData>(headers, rawBody, options);
  if (outcome.kind !== 'claimed') return outcome.answer;
  const { event } = outcome.delivery;
  try {
    await handler(event, outcome.delivery);
  } catch (error) {
    await settle(options, event, { error });
    return HANDLER_FAILED;
  }
  await settle(options, event);
  return HANDLED;
}
