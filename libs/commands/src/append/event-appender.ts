/**
 * Appends internal events to their context's topic (`herald.internal.<context>.v1`,
 * keyed `tenant:aggregateId`). Every event of a call is validated first — schema, kind,
 * tenant — and if any is bad nothing is appended and every bad item is reported.
 */
import { Injectable } from '@nestjs/common';
import {
  contextOf,
  InternalEvent,
  internalKey,
  internalTopicFor,
  kindSpec,
  publicEventId,
  validateInternalEvent,
} from '@herald/contracts';
import { DomainError, HeraldMetrics, KafkaService, OutgoingMessage, TenantDirectory } from '@herald/platform';

export const MAX_EVENTS_PER_REQUEST = 1000;

export interface ItemError {
  index: number;
  reason: string;
}

export interface Appended {
  id: string;
  /** The public event it will become, or null for an internal-only kind. */
  public_event_id: string | null;
}

export const InternalHeaders = {
  tenant: 'herald-tenant',
  kind: 'herald-kind',
} as const;

/** The same 400 `invalid_events`, raised when every bad item only names an unknown tenant. */
export class UnknownTenantError extends DomainError {
  constructor(message: string, details: ItemError[]) {
    super('invalid_events', message, 400, details);
  }
}

@Injectable()
export class EventAppender {
  constructor(
    private readonly kafka: KafkaService,
    private readonly tenants: TenantDirectory,
    private readonly metrics: HeraldMetrics,
  ) {}

  /** Throws DomainError `invalid_events` (400, details = [{index, reason}]) when any item is bad. */
  async append(raw: readonly unknown[]): Promise<Appended[]> {
    if (raw.length === 0) throw new DomainError('invalid_events', 'no events given', 400, []);
    if (raw.length > MAX_EVENTS_PER_REQUEST) {
      throw new DomainError('too_many_events', `at most ${MAX_EVENTS_PER_REQUEST} events per request`, 413);
    }
    const errors: ItemError[] = [];
    const valid: Array<{ index: number; event: InternalEvent }> = [];
    raw.forEach((item, index) => {
      const v = validateInternalEvent(item);
      if (v.ok) valid.push({ index, event: v.event });
      else errors.push({ index, reason: v.reason });
    });
    const known = await this.tenants.existing(valid.map((v) => v.event.tenant));
    const invalidCount = errors.length;
    for (const { index, event } of valid) {
      if (!known.has(event.tenant))
        errors.push({ index, reason: `unknown tenant ${JSON.stringify(event.tenant)}` });
    }
    if (errors.length > 0) {
      const onlyUnknownTenants = invalidCount === 0;
      errors.sort((a, b) => a.index - b.index);
      const message = `${errors.length} of ${raw.length} events are invalid; nothing was appended`;
      throw onlyUnknownTenants
        ? new UnknownTenantError(message, errors)
        : new DomainError('invalid_events', message, 400, errors);
    }

    const byTopic = new Map<string, OutgoingMessage[]>();
    const out: Appended[] = [];
    for (const { event } of valid) {
      const context = contextOf(event.kind);
      if (!context) throw new Error(`no context for validated kind ${event.kind}`);
      const spec = kindSpec(event.kind);
      const topic = internalTopicFor(context);
      const messages = byTopic.get(topic) ?? [];
      messages.push({
        key: internalKey(event, spec),
        value: JSON.stringify(event),
        headers: { [InternalHeaders.tenant]: event.tenant, [InternalHeaders.kind]: event.kind },
      });
      byTopic.set(topic, messages);
      out.push({ id: event.id, public_event_id: spec ? publicEventId(event.tenant, event.id) : null });
    }
    await this.kafka.producer.sendBatch([...byTopic].map(([topic, messages]) => ({ topic, messages })));
    this.metrics.eventsAppended.inc(out.length);
    return out;
  }
}
