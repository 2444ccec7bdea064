/**
 * Internal event → public event, for kinds that publish. Pure: whitelists the public
 * fields through the catalog, derives the deterministic id and normalises the time.
 */
import { messageKey } from '../topics';
import type { KindSpec } from './catalog';
import { scalarText } from './fields';
import { publicEventId } from './public-id';
import { toPublicTimestamp } from './time';
import type { InternalEvent, PublicEvent } from './validate';

export interface Translated {
  event: PublicEvent;
  /** Public topic key `tenant:subjectId`. */
  key: string;
  subjectId: string;
}

export function translate(evt: InternalEvent, spec: KindSpec): Translated {
  const createdAt = toPublicTimestamp(evt.occurred_at);
  if (!createdAt) throw new Error(`invalid occurred_at ${evt.occurred_at}`); // validated before; defensive
  const subjectId = scalarText(evt.data[spec.subject]);
  return {
    event: {
      id: publicEventId(evt.tenant, evt.id),
      type: spec.publicType,
      created_at: createdAt,
      data: spec.toPublic(evt.data),
    },
    key: messageKey(evt.tenant, subjectId),
    subjectId,
  };
}

export function internalKey(evt: InternalEvent, spec: KindSpec | undefined): string {
  const aggregate = spec ? evt.data[spec.aggregate] : undefined;
  return messageKey(evt.tenant, aggregate === undefined ? evt.id : scalarText(aggregate));
}
