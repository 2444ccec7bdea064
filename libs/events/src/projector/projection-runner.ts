/**
 * Runs one projection as a consumer group on the public topic. Each batch is applied in
 * one Postgres transaction together with its checkpoint (projection, topic, partition,
 * next offset), so a crash anywhere loses and duplicates nothing: an uncommitted batch
 * is re-read, a committed one is skipped by the checkpoint.
 *
 * Postgres, not Kafka, is the authority on position:
 * - when the group assigns partitions, each is moved to its checkpoint;
 * - a batch that does not start at the checkpoint is refused and the partition moved
 *   back to it (unless retention deleted the offsets in between: a real gap);
 * - a poller watches the projection's generation, which `herald replay` bumps when it
 *   resets checkpoints, and moves every owned partition to its new checkpoint; it also
 *   reports liveness, so a replay knows whether a projector is running.
 */
import { Topics } from '@herald/contracts';
import {
  ConsumerFactory,
  Decoded,
  decodePublicRecord,
  HandleResult,
  HeraldConsumer,
  PartitionRange,
  PublicRecord,
  RepositionRequest,
} from '@herald/platform';
import type { Logger } from 'pino';
import { DataSource, EntityManager } from 'typeorm';
import { Projection, projectorGroup } from './projection';

const POLL_MS = 1000;

export class ProjectionRunner {
  private consumer?: HeraldConsumer<PublicRecord>;
  private poller?: NodeJS.Timeout;
  private generation: number | undefined;
  /** An assignment that arrived before startConsumer returned (the group joins during start). */
  private pendingAssignment: number[] | undefined;
  applied = 0;

  constructor(
    readonly projection: Projection,
    private readonly kafka: ConsumerFactory,
    private readonly ds: DataSource,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    this.generation = await this.currentGeneration();
    this.consumer = await this.kafka.startConsumer<PublicRecord>({
      groupId: projectorGroup(this.projection.name),
      topics: [Topics.publicEvents],
      fromBeginning: true,
      decode: (m) => decodePublicRecord(m),
      handle: (batch, ctx) => this.handle(batch, ctx.ranges),
      // Read models may trail by a few tens of milliseconds; three groups applying every event
      // on its own would cost three transactions per event.
      minCycleMs: 50,
      onAssignment: (assigned) => this.moveToCheckpoints(assigned.get(Topics.publicEvents) ?? []),
    });
    if (this.pendingAssignment) await this.moveToCheckpoints(this.pendingAssignment);
    this.poller = setInterval(
      () => void this.poll().catch((err: unknown) => this.logger.warn({ err }, 'projection poll failed')),
      POLL_MS,
    );
    await this.poll();
  }

  async stop(): Promise<void> {
    if (this.poller) clearInterval(this.poller);
    this.poller = undefined;
    await this.consumer?.stop();
  }

  /**
   * Every partition of the call in one transaction, with one checkpoint row per partition.
   * When the projection rejects an event itself (the database refuses its data, or the
   * projection's code throws on it), the call is applied again one event at a time, each
   * under a savepoint: the events it rejects are dead-lettered with the reason and the rest
   * are applied, so one bad event never stops a read model. Passing failures (the database
   * unreachable, a deadlock) are retried as before.
   */
  private async handle(batch: Array<Decoded<PublicRecord>>, ranges: PartitionRange[]): Promise<HandleResult> {
    try {
      return await this.apply(batch, ranges, false);
    } catch (err) {
      if (!isEventFault(err)) throw err;
      this.logger.warn(
        { projection: this.projection.name, err: errorMessage(err) },
        'projection rejected an event; isolating it',
      );
      return this.apply(batch, ranges, true);
    }
  }

  private async apply(
    batch: Array<Decoded<PublicRecord>>,
    ranges: PartitionRange[],
    isolate: boolean,
  ): Promise<HandleResult> {
    const name = this.projection.name;
    const poison: NonNullable<HandleResult['poison']> = [];
    await this.ds.transaction(async (em) => {
      if (this.projection.globalLock) {
        await em.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`projection:${name}`]);
      }
      const next = await this.checkpoints(em, ranges);
      const reposition: Array<{ topic: string; partition: number; offset: string }> = [];
      const applying = new Map<string, bigint>();
      for (const r of ranges) {
        const at = next.get(rangeKey(r.topic, r.partition)) ?? 0n;
        if (BigInt(r.lastOffset) < at) continue; // applied before (a re-read after a crash before the Kafka commit)
        if (BigInt(r.firstOffset) > at && at >= (await this.kafka.lowWatermark(r.topic, r.partition))) {
          // Not contiguous with what is applied and nothing was deleted in between: stale position.
          reposition.push({ topic: r.topic, partition: r.partition, offset: at.toString() });
          continue;
        }
        applying.set(rangeKey(r.topic, r.partition), at);
      }
      if (reposition.length > 0) throw new RepositionRequest(reposition);
      if (applying.size === 0) return;
      const fresh = batch.filter((m) => {
        const at = applying.get(rangeKey(m.topic, m.partition));
        return at !== undefined && BigInt(m.offset) >= at;
      });
      // A tenant deleted since its events were published has nothing left to project into.
      // The lock keeps the tenants found from being deleted until this commits (the read
      // models have no foreign key to check it row by row; a trigger on tenants clears them).
      const tenants: Array<{ slug: string }> = await em.query(
        `SELECT slug FROM tenants WHERE slug = ANY($1::text[]) ORDER BY slug FOR KEY SHARE`,
        [[...new Set(fresh.map((m) => m.value.tenant))]],
      );
      const live = new Set(tenants.map((t) => t.slug));
      const records = fresh.filter((m) => live.has(m.value.tenant));
      if (!isolate) {
        await this.projection.apply(
          em,
          records.map((m) => m.value),
        );
      } else {
        for (const m of records) {
          await em.query(`SAVEPOINT projection_event`);
          try {
            await this.projection.apply(em, [m.value]);
            await em.query(`RELEASE SAVEPOINT projection_event`);
          } catch (err) {
            if (!isEventFault(err)) throw err;
            await em.query(`ROLLBACK TO SAVEPOINT projection_event`);
            poison.push({
              topic: m.topic,
              partition: m.partition,
              offset: m.offset,
              reason: `projection ${name} rejected the event: ${errorMessage(err)}`,
            });
          }
        }
      }
      const advanced = ranges.filter((r) => applying.has(rangeKey(r.topic, r.partition)));
      await em.query(
        `INSERT INTO projection_checkpoints (projection, topic, partition, next_offset, updated_at)
         SELECT $1, topic, partition, next_offset, now()
           FROM unnest($2::text[], $3::int[], $4::bigint[]) AS c(topic, partition, next_offset)
         ON CONFLICT (projection, topic, partition) DO UPDATE SET next_offset = EXCLUDED.next_offset, updated_at = now()`,
        [
          name,
          advanced.map((r) => r.topic),
          advanced.map((r) => r.partition),
          advanced.map((r) => (BigInt(r.lastOffset) + 1n).toString()),
        ],
      );
      this.applied += fresh.length - poison.length;
    });
    return { poison };
  }

  /** The next offset to apply of each partition in the call, its row locked for the transaction. */
  private async checkpoints(em: EntityManager, ranges: PartitionRange[]): Promise<Map<string, bigint>> {
    const rows: Array<{ topic: string; partition: number; next_offset: string }> = await em.query(
      `SELECT c.topic, c.partition, c.next_offset
         FROM projection_checkpoints c
         JOIN unnest($2::text[], $3::int[]) AS r(topic, partition) USING (topic, partition)
        WHERE c.projection = $1
        ORDER BY c.topic, c.partition
          FOR UPDATE OF c`,
      [this.projection.name, ranges.map((r) => r.topic), ranges.map((r) => r.partition)],
    );
    return new Map(rows.map((r) => [rangeKey(r.topic, r.partition), BigInt(r.next_offset)]));
  }

  private async currentGeneration(): Promise<number> {
    const rows: Array<{ generation: number }> = await this.ds.query(
      `SELECT generation FROM projection_control WHERE projection = $1`,
      [this.projection.name],
    );
    return rows[0]?.generation ?? 0;
  }

  /** Seeks the given partitions to their checkpoints (0 when none: the earliest offset). */
  private async moveToCheckpoints(partitions: number[]): Promise<void> {
    const consumer = this.consumer;
    if (!consumer) {
      this.pendingAssignment = partitions;
      return;
    }
    this.pendingAssignment = undefined;
    if (partitions.length === 0) return;
    const rows: Array<{ partition: number; next_offset: string }> = await this.ds.query(
      `SELECT partition, next_offset FROM projection_checkpoints
        WHERE projection = $1 AND topic = $2 AND partition = ANY($3::int[])`,
      [this.projection.name, Topics.publicEvents, partitions],
    );
    for (const partition of partitions) {
      const next = rows.find((r) => r.partition === partition)?.next_offset ?? '0';
      this.logger.debug({ partition, offset: next }, 'moving to checkpoint');
      consumer.seek(Topics.publicEvents, partition, next);
    }
  }

  /** Liveness for `herald replay`, and repositioning after a reset. */
  private async poll(): Promise<void> {
    await this.ds.query(`UPDATE projection_control SET last_seen_at = now() WHERE projection = $1`, [
      this.projection.name,
    ]);
    const generation = await this.currentGeneration();
    if (generation === this.generation) return;
    this.generation = generation;
    this.logger.info({ projection: this.projection.name, generation }, 'projection reset: repositioning');
    await this.moveToCheckpoints(this.consumer?.assignment().get(Topics.publicEvents) ?? []);
  }
}

function rangeKey(topic: string, partition: number): string {
  return `${topic}|${partition}`;
}

/**
 * Whether applying an event failed because of the event (it will fail again, however
 * often it is retried) rather than because of the database being unreachable, busy or
 * shutting down. SQLSTATE classes 08 (connection), 40 (serialization, deadlock), 53
 * (resources), 57 (operator intervention) and 58 (system), and socket errors, are the
 * passing kind; anything else the projection's code or SQL raises is the event's fault.
 */
function isEventFault(err: unknown): boolean {
  const e = err as { driverError?: { code?: unknown }; code?: unknown; message?: unknown };
  const code = e?.driverError?.code ?? e?.code;
  if (typeof code === 'string') {
    if (/^(08|40|53|57|58)/.test(code)) return false;
    if (/^E[A-Z]+$/.test(code)) return false; // ECONNRESET, ETIMEDOUT, EPIPE…
  }
  const message = typeof e?.message === 'string' ? e.message : '';
  return !/connection|terminat|timeout/i.test(message);
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
