/**
 * The translator: a consumer group on every internal topic that turns internal events
 * into the public taxonomy on `herald.public.events.v1`.
 *
 * - invalid JSON, schema violations, unknown kinds and unknown tenants are dead-lettered
 *   with their reason; the group never stops on bad input;
 * - internal-only kinds are dropped and counted;
 * - kinds published once per subject (course.published, page.created) consult a durable
 *   first-occurrence table: the first internal event for a subject wins, and re-reading
 *   that same event (a replay) publishes it again under the same deterministic id.
 */
import { Inject, Injectable } from '@nestjs/common';
import {
  checkPublicEvent,
  InternalEvent,
  KindSpec,
  translate,
  Topics,
  INTERNAL_CONTEXTS,
  validateInternalEvent,
} from '@herald/contracts';
import {
  BUSY_CYCLE,
  ConsumerBinding,
  Decoded,
  HandleResult,
  HERALD_LOGGER,
  HeraldMetrics,
  KafkaService,
  OutgoingMessage,
  PoisonMessageError,
  TenantDirectory,
} from '@herald/platform';
import type { KafkaMessage } from '@herald/platform';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { PublicHeaders } from '@herald/platform';

export const TRANSLATOR_GROUP = 'herald.translator';

export type TranslatorItem = { event: InternalEvent; spec: KindSpec | undefined };
type Item = TranslatorItem;

export interface TranslatorStats {
  translated: number;
  internalOnlyDropped: number;
  repeatsSuppressed: number;
}

/** What the translator's consumer group reads, and how (see apps/translator). */
export const TRANSLATOR_BINDING: ConsumerBinding<TranslatorItem> = {
  groupId: TRANSLATOR_GROUP,
  topics: INTERNAL_CONTEXTS.map((c) => Topics.internal[c]),
  fromBeginning: true,
  decode: (message) => decodeInternal(message),
  minCycleMs: 5,
  busyCycle: BUSY_CYCLE,
  // Fetches the next batches while a call's public records are produced. Every call is
  // translated in order, and re-translating a record (should a failed call be read again)
  // publishes the same ids, which every consumer of the public topic deduplicates.
  prefetch: true,
};

export function decodeInternal(message: KafkaMessage): Item {
  let raw: unknown;
  try {
    raw = JSON.parse(message.value?.toString('utf8') ?? '');
  } catch {
    throw new PoisonMessageError('malformed JSON');
  }
  const v = validateInternalEvent(raw);
  if (!v.ok) throw new PoisonMessageError(v.reason);
  return { event: v.event, spec: v.spec };
}

@Injectable()
export class TranslatorService {
  readonly stats: TranslatorStats = { translated: 0, internalOnlyDropped: 0, repeatsSuppressed: 0 };
  private readonly logger: Logger;

  constructor(
    private readonly kafka: KafkaService,
    private readonly ds: DataSource,
    private readonly tenants: TenantDirectory,
    @Inject(HERALD_LOGGER) logger: Logger,
    private readonly metrics: HeraldMetrics,
  ) {
    this.logger = logger.child({ component: 'translator' });
  }

  async handle(batch: Array<Decoded<Item>>): Promise<HandleResult> {
    const poison: NonNullable<HandleResult['poison']> = [];
    if (batch.length === 0) return { poison };
    const known = await this.tenants.existing(batch.map((m) => m.value.event.tenant));
    const publishable: Array<Decoded<Item> & { value: { spec: KindSpec } }> = [];
    let internalOnly = 0;
    let repeats = 0;
    for (const m of batch) {
      if (!known.has(m.value.event.tenant)) {
        poison.push({ ...position(m), reason: `unknown tenant ${JSON.stringify(m.value.event.tenant)}` });
      } else if (!m.value.spec) {
        this.stats.internalOnlyDropped++;
        internalOnly++;
      } else {
        publishable.push(m as Decoded<Item> & { value: { spec: KindSpec } });
      }
    }

    const firsts = await this.firstOccurrences(
      publishable.filter((m) => m.value.spec.firstOnly).map((m) => m.value),
    );
    const messages: OutgoingMessage[] = [];
    for (const m of publishable) {
      const { event, spec } = m.value;
      if (spec.firstOnly) {
        const winner = firsts.get(firstKey(event, spec));
        if (winner !== event.id) {
          this.stats.repeatsSuppressed++;
          repeats++;
          continue;
        }
      }
      const t = translate(event, spec);
      const problem = checkPublicEvent(t.event);
      if (problem) {
        poison.push({ ...position(m), reason: `translation failed its public schema: ${problem}` });
        continue;
      }
      messages.push({
        key: t.key,
        value: JSON.stringify(t.event),
        headers: { [PublicHeaders.tenant]: event.tenant },
      });
    }
    if (messages.length > 0) await this.kafka.producer.send(Topics.publicEvents, messages);
    this.stats.translated += messages.length;
    // Once the call's records are out: a call that fails and is read again counts once.
    this.metrics.eventsTranslated.inc(messages.length);
    if (internalOnly > 0) this.metrics.eventsDropped.inc({ reason: 'internal_only' }, internalOnly);
    if (repeats > 0) this.metrics.eventsDropped.inc({ reason: 'repeat' }, repeats);
    return { poison };
  }

  /**
   * Records the first internal event per (tenant, kind, subject) and returns, for every
   * subject asked about, the id of the event that was first. One round trip per batch.
   */
  private async firstOccurrences(
    items: Array<{ event: InternalEvent; spec: KindSpec }>,
  ): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (items.length === 0) return out;
    // Within a batch the earliest offset wins, as it would across batches.
    const candidates = new Map<string, { tenant: string; kind: string; subject: string; id: string }>();
    for (const { event, spec } of items) {
      const key = firstKey(event, spec);
      if (!candidates.has(key)) {
        candidates.set(key, {
          tenant: event.tenant,
          kind: event.kind,
          subject: String(event.data[spec.subject]),
          id: event.id,
        });
      }
    }
    const rows = [...candidates.values()];
    const result: Array<{ tenant: string; kind: string; subject_id: string; internal_event_id: string }> =
      await this.ds.query(
        `WITH input AS (
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS i(tenant, kind, subject_id, internal_event_id)
       ), inserted AS (
         INSERT INTO translator_first_occurrences (tenant, kind, subject_id, internal_event_id)
         SELECT tenant, kind, subject_id, internal_event_id FROM input
         ON CONFLICT (tenant, kind, subject_id) DO NOTHING
         RETURNING tenant, kind, subject_id, internal_event_id
       )
       SELECT tenant, kind, subject_id, internal_event_id FROM inserted
       UNION ALL
       SELECT f.tenant, f.kind, f.subject_id, f.internal_event_id
         FROM input i
         CROSS JOIN LATERAL (
           -- One key probe per input row; a plain join may hash the whole table.
           SELECT * FROM translator_first_occurrences t
            WHERE t.tenant = i.tenant AND t.kind = i.kind AND t.subject_id = i.subject_id LIMIT 1
         ) f`,
        [
          rows.map((r) => r.tenant),
          rows.map((r) => r.kind),
          rows.map((r) => r.subject),
          rows.map((r) => r.id),
        ],
      );
    for (const r of result) out.set(`${r.tenant}\0${r.kind}\0${r.subject_id}`, r.internal_event_id);
    return out;
  }
}

function position(m: Decoded<Item>): { topic: string; partition: number; offset: string } {
  return { topic: m.topic, partition: m.partition, offset: m.offset };
}

function firstKey(event: InternalEvent, spec: KindSpec): string {
  return `${event.tenant}\0${event.kind}\0${String(event.data[spec.subject])}`;
}
