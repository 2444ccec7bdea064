/**
 * Herald's ingest validation of one internal event, step for step as libs/contracts does
 * it (unsafe text, envelope, time, kind, data, time fields), on the catalogue copied into
 * generated/catalogue.ts. Refusals read exactly like the `reason` of Herald's 400.
 */
import {
  INTERNAL_ENVELOPE_SCHEMA,
  INTERNAL_ONLY_KINDS,
  InternalEventData,
  InternalOnlyKind,
  PUBLISHED_KINDS,
  PublishedKind,
} from '../generated/catalogue';
import { findUnsafeText } from '../generated/stored-text';
import { parseRfc3339 } from '../generated/time';
import { firstSchemaError } from './json-schema';

/** An internal event as product services append it (DESIGN.md §5). */
export interface InternalEvent<K extends string = string> {
  /** UUID or ULID, unique per fact; re-sending the same id never publishes twice. */
  id: string;
  tenant: string;
  kind: K;
  /** RFC 3339. */
  occurred_at: string;
  data: K extends PublishedKind ? InternalEventData[K] : Record<string, unknown>;
}

/**
 * What `append` takes: a published kind with its typed `data`, or an internal-only kind
 * (accepted, never published). Told apart by `kind`.
 */
export type AppendableEvent =
  { [K in PublishedKind]: InternalEvent<K> }[PublishedKind] | InternalEvent<InternalOnlyKind>;

export type EventCheck =
  { ok: true; event: InternalEvent; published: boolean } | { ok: false; reason: string };

const INTERNAL_ONLY = new Set<string>(INTERNAL_ONLY_KINDS);

const isPublished = (kind: string): kind is PublishedKind =>
  Object.prototype.hasOwnProperty.call(PUBLISHED_KINDS, kind);

export function checkInternalEvent(raw: unknown): EventCheck {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, reason: 'event must be a JSON object' };
  }
  const text = findUnsafeText(raw);
  if (text) return { ok: false, reason: text.reason };
  const envelope = firstSchemaError(INTERNAL_ENVELOPE_SCHEMA, raw, 'event');
  if (envelope) return { ok: false, reason: envelope };
  const event = raw as InternalEvent;
  if (!parseRfc3339(event.occurred_at)) {
    return { ok: false, reason: 'event.occurred_at is not a valid RFC 3339 time' };
  }
  if (INTERNAL_ONLY.has(event.kind)) return { ok: true, event, published: false };
  if (!isPublished(event.kind)) return { ok: false, reason: `unknown kind ${JSON.stringify(event.kind)}` };
  const entry = PUBLISHED_KINDS[event.kind];
  const data = firstSchemaError(entry.schema, event.data, 'data');
  if (data) return { ok: false, reason: data };
  const fields = event.data;
  for (const name of entry.datetimeFields) {
    const v = fields[name];
    if (v !== null && !parseRfc3339(typeof v === 'string' || typeof v === 'number' ? String(v) : '')) {
      return { ok: false, reason: `data.${name} is not a valid RFC 3339 time` };
    }
  }
  return { ok: true, event, published: true };
}
