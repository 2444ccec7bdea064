/**
 * Reads the dead-letter topic and re-drives its records: the original key, value and
 * headers are appended again to the topic they came from, where the consumer that gave
 * up on them reads them anew (once the cause is fixed: a tenant created, say).
 *
 * A redrive is recorded in `dead_letter_redrives`, keyed by the original's coordinates
 * (source topic, partition, offset), in the same transaction that appends it: redriving
 * a record twice, or two dead letters of one original (two groups gave up on one public
 * record, or a consumer re-read its batch before committing), appends it once. Should
 * the transaction fail after the append, the next redrive appends it again, and what
 * follows still happens once: public ids derive from the internal id, and every
 * consumer of the public topic deduplicates on them.
 */
import { checkPublicEvent, InternalEvent, Topics, translate } from '@herald/contracts';
import {
  decodePublicRecord,
  DomainError,
  HeraldProducer,
  offsetRangesByTime,
  OffsetRange,
  PoisonMessageError,
  RangeProgress,
  readOffsetRanges,
} from '@herald/platform';
import type { Admin, Kafka, KafkaMessage } from '@herald/platform';
import { DataSource } from 'typeorm';
import { decodeInternal } from '../translator/translator.service';
import { DeadLetterRecord, DeadLetterSource, parseDeadLetter, sourceId } from './dead-letter-record';

export type RedriveStatus = 'redriven' | 'already_redriven' | 'not_redrivable';

export interface RedriveOutcome {
  partition: number;
  offset: string;
  source_topic: string | null;
  source_partition: number | null;
  source_offset: string | null;
  status: RedriveStatus;
  /** When it was re-appended (now, or by an earlier redrive); null when it was not. */
  redriven_at: string | null;
  /** Why it will be dead-lettered again, when that can be told beforehand; redriven anyway. */
  still_failing: string | null;
}

/** Records appended per transaction (and per progress step) by a redrive. */
const REDRIVE_CHUNK = 100;

const INTERNAL_TOPICS: ReadonlySet<string> = new Set(Object.values(Topics.internal));

export class DeadLetters {
  constructor(
    private readonly ds: DataSource,
    private readonly kafka: Kafka,
    private readonly admin: Admin,
  ) {}

  /** Every record appended at or after `since` (all of them without it), in offset order. */
  async read(since?: Date, onProgress?: (p: RangeProgress) => void): Promise<DeadLetterRecord[]> {
    const ranges: OffsetRange[] = since
      ? await offsetRangesByTime(this.admin, Topics.deadLetter, since.getTime(), undefined)
      : (await this.admin.fetchTopicOffsets(Topics.deadLetter)).map((o) => ({
          partition: o.partition,
          start: BigInt(o.low),
          end: BigInt(o.high),
        }));
    return this.readRanges(ranges, onProgress);
  }

  /** The record at `offset` of the (single-partition) dead-letter topic. */
  async at(offset: bigint, partition = 0): Promise<DeadLetterRecord> {
    const o = (await this.admin.fetchTopicOffsets(Topics.deadLetter)).find((p) => p.partition === partition);
    const low = BigInt(o?.low ?? '0');
    const high = BigInt(o?.high ?? '0');
    if (offset < low || offset >= high) {
      throw new DomainError(
        'dead_letter_not_found',
        low === high
          ? `no dead letter at offset ${offset}: ${Topics.deadLetter} holds no records`
          : `no dead letter at offset ${offset}: ${Topics.deadLetter} holds offsets ${low} to ${high - 1n}`,
        404,
      );
    }
    const [record] = await this.readRanges([{ partition, start: offset, end: offset + 1n }]);
    if (!record) throw new DomainError('dead_letter_not_found', `no dead letter at offset ${offset}`, 404);
    return record;
  }

  /** When each record's original was redriven, keyed by its source (`sourceId`). */
  async redrivenAt(records: readonly DeadLetterRecord[]): Promise<Map<string, Date>> {
    const sources = records.flatMap((r) => (r.source ? [r.source] : []));
    const out = new Map<string, Date>();
    if (sources.length === 0) return out;
    const rows: Array<DeadLetterSource & { redriven_at: Date }> = await this.ds.query(
      `SELECT r.source_topic AS topic, r.source_partition AS partition, r.source_offset::text AS offset, r.redriven_at
         FROM unnest($1::text[], $2::int[], $3::bigint[]) AS s(topic, partition, "offset")
         JOIN dead_letter_redrives r
           ON r.source_topic = s.topic AND r.source_partition = s.partition AND r.source_offset = s."offset"`,
      [sources.map((s) => s.topic), sources.map((s) => s.partition), sources.map((s) => s.offset)],
    );
    for (const r of rows) out.set(sourceId(r), new Date(r.redriven_at));
    return out;
  }

  /** Re-appends each record's original to its source topic, at most once per original. */
  async redrive(
    records: readonly DeadLetterRecord[],
    onProgress?: (p: RangeProgress) => void,
  ): Promise<RedriveOutcome[]> {
    const producer = new HeraldProducer(this.kafka);
    await producer.connect();
    const outcomes: RedriveOutcome[] = [];
    try {
      onProgress?.({ done: 0, total: records.length });
      for (let i = 0; i < records.length; i += REDRIVE_CHUNK) {
        const chunk = records.slice(i, i + REDRIVE_CHUNK);
        outcomes.push(...(await this.redriveChunk(producer, chunk)));
        onProgress?.({ done: outcomes.length, total: records.length });
      }
    } finally {
      await producer.disconnect();
    }
    return outcomes;
  }

  private async redriveChunk(
    producer: HeraldProducer,
    chunk: readonly DeadLetterRecord[],
  ): Promise<RedriveOutcome[]> {
    const failing = await this.stillFailing(chunk);
    const redrivable = chunk.filter((r) => r.source !== null);
    const redriven = new Map<string, Date>();
    await this.ds.transaction(async (tx) => {
      // A concurrent redrive of the same original waits here until this one commits.
      const rows: Array<{ partition: number; offset: string; redriven_at: Date }> =
        redrivable.length === 0
          ? []
          : await tx.query(
              `INSERT INTO dead_letter_redrives
                 (source_topic, source_partition, source_offset, dead_letter_partition, dead_letter_offset)
               SELECT * FROM unnest($1::text[], $2::int[], $3::bigint[], $4::int[], $5::bigint[])
               ON CONFLICT DO NOTHING
               RETURNING dead_letter_partition AS partition, dead_letter_offset::text AS offset, redriven_at`,
              [
                redrivable.map((r) => r.source!.topic),
                redrivable.map((r) => r.source!.partition),
                redrivable.map((r) => r.source!.offset),
                redrivable.map((r) => r.partition),
                redrivable.map((r) => r.offset),
              ],
            );
      for (const r of rows) redriven.set(`${r.partition}@${r.offset}`, new Date(r.redriven_at));
      const appended = redrivable.filter((r) => redriven.has(`${r.partition}@${r.offset}`));
      // Grouped by topic, in dead-letter order: originals of one key keep their order.
      await producer.sendBatch(
        [...new Set(appended.map((r) => r.source!.topic))].map((topic) => ({
          topic,
          messages: appended
            .filter((r) => r.source!.topic === topic)
            .map((r) => ({ key: r.key ?? sourceId(r.source!), value: r.value, headers: r.headers })),
        })),
      );
    });
    const earlier = await this.redrivenAt(chunk.filter((r) => !redriven.has(`${r.partition}@${r.offset}`)));
    return chunk.map((r): RedriveOutcome => {
      const now = redriven.get(`${r.partition}@${r.offset}`);
      const before = r.source ? earlier.get(sourceId(r.source)) : undefined;
      return {
        partition: r.partition,
        offset: r.offset,
        source_topic: r.source?.topic ?? null,
        source_partition: r.source?.partition ?? null,
        source_offset: r.source?.offset ?? null,
        status: now ? 'redriven' : r.source ? 'already_redriven' : 'not_redrivable',
        redriven_at: (now ?? before)?.toISOString() ?? null,
        still_failing: now ? (failing.get(r) ?? null) : null,
      };
    });
  }

  /**
   * What can be told without the consumer: an internal event that still fails the
   * translator's checks (schema, kind, public schema, an unknown or disabled tenant), a
   * public record that still does not decode.
   */
  private async stillFailing(records: readonly DeadLetterRecord[]): Promise<Map<DeadLetterRecord, string>> {
    const out = new Map<DeadLetterRecord, string>();
    const events = new Map<DeadLetterRecord, InternalEvent>();
    for (const r of records) {
      const message = { key: r.key === null ? null : Buffer.from(r.key), value: r.value, headers: r.headers };
      try {
        if (r.source && INTERNAL_TOPICS.has(r.source.topic)) {
          const { event, spec } = decodeInternal(message as unknown as KafkaMessage);
          const problem = spec ? checkPublicEvent(translate(event, spec).event) : undefined;
          if (problem) out.set(r, `translation failed its public schema: ${problem}`);
          else events.set(r, event);
        } else if (r.source?.topic === Topics.publicEvents) {
          decodePublicRecord(message as unknown as KafkaMessage);
        }
      } catch (err) {
        if (!(err instanceof PoisonMessageError)) throw err;
        out.set(r, err.reason);
      }
    }
    if (events.size > 0) {
      const rows: Array<{ slug: string }> = await this.ds.query(
        `SELECT slug FROM tenants WHERE slug = ANY($1::text[]) AND disabled_at IS NULL`,
        [[...new Set([...events.values()].map((e) => e.tenant))]],
      );
      const known = new Set(rows.map((r) => r.slug));
      for (const [r, e] of events) {
        if (!known.has(e.tenant)) out.set(r, `unknown tenant ${JSON.stringify(e.tenant)}`);
      }
    }
    return out;
  }

  private async readRanges(
    ranges: OffsetRange[],
    onProgress?: (p: RangeProgress) => void,
  ): Promise<DeadLetterRecord[]> {
    const out: DeadLetterRecord[] = [];
    await readOffsetRanges(this.kafka, Topics.deadLetter, ranges, {
      groupPrefix: 'herald.deadletters',
      onMessages: async (partition, messages) => {
        for (const m of messages) out.push(parseDeadLetter(partition, m));
      },
      onProgress,
    });
    return out.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
  }
}
