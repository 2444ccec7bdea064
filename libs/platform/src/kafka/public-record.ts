/** The public topic's message format: the public event as value, tenant in a header and the key (shared by every consumer of the public topic). */
import type { PublicEvent } from '@herald/contracts';
import { PoisonMessageError } from './consumer';
import type { KafkaMessage } from 'kafkajs';

export const PublicHeaders = {
  tenant: 'herald-tenant',
} as const;

export interface PublicRecord {
  tenant: string;
  event: PublicEvent;
  subjectId: string;
  /** The value as published (the webhook body); absent for records built in code. */
  raw?: string;
}

/** The tenant a raw public record belongs to, from its header (undefined: none). */
export function publicRecordTenant(message: KafkaMessage): string | undefined {
  return message.headers?.[PublicHeaders.tenant]?.toString();
}

export function decodePublicRecord(message: KafkaMessage): PublicRecord {
  const tenant = publicRecordTenant(message);
  const key = message.key?.toString() ?? '';
  if (!tenant || !key.startsWith(`${tenant}:`))
    throw new PoisonMessageError('public record without a matching tenant header and key');
  let event: PublicEvent;
  const raw = message.value?.toString('utf8') ?? '';
  try {
    event = JSON.parse(raw) as PublicEvent;
  } catch {
    throw new PoisonMessageError('malformed JSON');
  }
  if (
    typeof event?.id !== 'string' ||
    typeof event.type !== 'string' ||
    typeof event.created_at !== 'string'
  ) {
    throw new PoisonMessageError('public record is not a public event');
  }
  return { tenant, event, subjectId: key.slice(tenant.length + 1), raw };
}
