/**
 * Runs projections as one consumer group on the public topic. Each projection applies a
 * call in one Postgres transaction together with its checkpoints (projection, topic,
 * partition, next offset), so a crash anywhere loses and duplicates nothing: an
 * uncommitted share is re-read, a committed one is skipped by the checkpoints.
 *
 * The projector runs all read models in one group (`herald.projector`): every record is
 * fetched and decoded once, and the projections apply each call side by side, each in its
 * own transaction. A projection is still rebuilt alone: `herald replay` resets its
 * checkpoints, the group leaves it out while it is behind, and a catch-up runner (the same
 * class, that projection alone in its own group `herald.projector.<name>`) brings it back
 * up to the others.
 *
 * Postgres, not Kafka, is the authority on position. Per partition of a call:
 * - a projection whose checkpoint lies inside the call's range applies what follows it;
 *   one past the range has applied it all before (a re-read after a crash) and skips it;
 * - one behind the range is left out: it is catching up elsewhere;
 * - unless retention deleted the offsets in between: a real gap, applied as it comes;
 * - when every projection is behind, the range is stale (a reset moved them all back): the
 *   partition is moved back to the furthest checkpoint and read again;
 * - when the group assigns partitions, each is moved to the furthest checkpoint too;
 * - a poller watches the projections' generations, which `herald replay` bumps when it
 *   resets checkpoints, and repositions every owned partition; it also reports liveness,
 *   so a replay knows whether a projector is running.
 */
import { Topics } from '@herald/contracts';
import {
  ConsumedBatch,
  ConsumerBinding,
  ConsumerFactory,
  Decoded,
  decodePublicRecord,
  HandleResult,
  HeraldConsumer,
  MessagePosition,
  PartitionRange,
  PublicRecord,
  queryPrepared,
  RepositionRequest,
} from '@herald/platform';
import type { Logger } from 'pino';
import { DataSource, EntityManager } from 'typeorm';
import { Projection, projectorGroup } from './projection';

const POLL_MS = 1000;
const LOW_WATERMARK_TTL_MS = 5000;

/** The group of a projector's runner over every projection. */
export const PROJECTOR_GROUP = 'herald.projector';

export interface RunnerOptions {
  groupId: string;
  /**
   * The shortest time from one call to the next fetch. Read models may trail by a few tens
   * of milliseconds; applying every event on its own would cost a transaction per event.
   */
  minCycleMs?: number;
}

/** How one projection's share of a call went. */
interface Share {
  /** Partitions it is behind on, with its checkpoint there. */
  behind: Map<string, bigint>;
  /** Events it rejected, to be dead-lettered. */
  rejected: Array<MessagePosition & { reason: string }>;
}

/** What a runner needs of its group's consumer. */
type RunnerConsumer = Pick<HeraldConsumer<unknown>, 'assignment' | 'seek'>;

/**
 * Above 1,000 records a second a call of the projector grows from 50 ms to up to 200 ms of
 * records: a transaction per projection and a commit are then paid for four times as many
 * events, and the read models trail the log by at most 200 ms under such load.
 */
const PROJECTOR_BUSY_CYCLE = { perRecordMs: 1, maxMs: 200 } as const;

/** The group of a projection runner: what it reads, and how. */
export function projectorBinding(groupId: string, minCycleMs = 50): ConsumerBinding<PublicRecord> {
  return {
    groupId,
    topics: [Topics.publicEvents],
    fromBeginning: true,
    decode: (m) => decodePublicRecord(m),
    minCycleMs,
    // A catch-up runner (no cycle) takes what each fetch brings, as fast as it can.
    busyCycle: minCycleMs > 0 ? PROJECTOR_BUSY_CYCLE : undefined,
    // A call's ranges are checked against the checkpoints, so a batch fetched while the
    // previous call was applied is safe to take: the next call decodes while this one writes.
    prefetch: true,
  };
}

/** The projector role's group (every projection), as its transport adapter declares it. */
export const PROJECTOR_BINDING = projectorBinding(PROJECTOR_GROUP);

export class ProjectionRunner {
  private consumer: () => RunnerConsumer | undefined = () => undefined;
  /** The consumer it started itself, if it did. */
  private owned?: HeraldConsumer<PublicRecord>;
  private poller?: NodeJS.Timeout;
  private generations = new Map<string, number>();
  private readonly lows = new Map<string, { low: bigint; at: number }>();
  private exclusive: Promise<unknown> = Promise.resolve();
  /** An assignment that arrived before its consumer could be followed (the group joins during start). */
  private pendingAssignment: number[] | undefined;
  /** Events applied, summed over projections. */
  applied = 0;
  private readonly options: Required<RunnerOptions>;

  constructor(
    readonly projections: Projection[],
    private readonly kafka: ConsumerFactory,
    private readonly ds: DataSource,
    private readonly logger: Logger,
    options?: RunnerOptions,
  ) {
    if (projections.length === 0) throw new Error('a projection runner needs a projection');
    this.options = {
      groupId:
        options?.groupId ??
        (projections.length === 1 ? projectorGroup(projections[0]!.name) : PROJECTOR_GROUP),
      minCycleMs: options?.minCycleMs ?? 50,
    };
  }

  get groupId(): string {
    return this.options.groupId;
  }

  /** What the runner's group reads, and how. */
  binding(): ConsumerBinding<PublicRecord> {
    return projectorBinding(this.options.groupId, this.options.minCycleMs);
  }

  /** Runs on a consumer of its own (catch-up runners, `herald replay`). */
  async start(): Promise<void> {
    await this.prepare();
    const own = await this.kafka.startConsumer<PublicRecord>({
      ...this.binding(),
      handle: (messages, ctx) => this.applyBatch({ messages, ...ctx }),
      onAssignment: (assigned) => this.assigned(assigned),
    });
    this.owned = own;
    await this.follow(() => own);
  }

  /** Before its group's consumer starts: the generations it starts from. */
  async prepare(): Promise<void> {
    this.generations = await this.currentGenerations();
  }

  /**
   * Follows the consumer of its group, wherever it was started (its own, or the projector
   * role's transport): an assignment that came before it is applied, and polling begins.
   */
  async follow(consumer: () => RunnerConsumer | undefined): Promise<void> {
    this.consumer = consumer;
    if (this.pendingAssignment && consumer()) await this.moveToCheckpoints(this.pendingAssignment);
    this.poller = setInterval(
      () => void this.poll().catch((err: unknown) => this.logger.warn({ err }, 'projection poll failed')),
      POLL_MS,
    );
    await this.poll();
  }

  /** One call of the group: every projection applies it (one at a time with `betweenCalls`). */
  applyBatch(batch: ConsumedBatch<PublicRecord>): Promise<HandleResult> {
    return this.serial(() => this.handle(batch.messages, batch.ranges));
  }

  /** The group assigned partitions: each is moved to the furthest checkpoint. */
  assigned(assignment: ReadonlyMap<string, number[]>): Promise<void> {
    return this.moveToCheckpoints(assignment.get(Topics.publicEvents) ?? []);
  }

  /**
   * Runs `fn` while no call is being applied (and holds the next one back until it is
   * done): between calls, every projection that applies them has committed the same ones.
   */
  betweenCalls<T>(fn: () => Promise<T>): Promise<T> {
    return this.serial(fn);
  }

  /** The public topic's partitions this runner's group gave it. */
  ownedPartitions(): number[] {
    return [...(this.consumer()?.assignment().get(Topics.publicEvents) ?? [])];
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.exclusive.then(fn, fn);
    this.exclusive = run.catch(() => undefined);
    return run;
  }

  /** Stops polling, and its own consumer if it started one (a transport stops the others). */
  async stop(): Promise<void> {
    if (this.poller) clearInterval(this.poller);
    this.poller = undefined;
    await this.owned?.stop();
  }

  /**
   * Each projection applies the call in a transaction of its own, all at once on separate
   * connections (their checkpoints are their own, so nothing needs them to commit
   * together, and Postgres works on them in parallel). When a projection rejects an event
   * itself (the database refuses its data, or the projection's code throws on it), that
   * projection applies the call again one event at a time, each under a savepoint: the
   * events rejected are dead-lettered with the reason and the rest are applied, so one bad
   * event never stops a read model. Passing failures (the database unreachable, a
   * deadlock) fail the call, which is retried; what committed meanwhile is skipped then.
   */
  private async handle(batch: Array<Decoded<PublicRecord>>, ranges: PartitionRange[]): Promise<HandleResult> {
    const values = batch.map((m) => m.value);
    const settled = await Promise.allSettled(
      this.projections.map(async (projection) => {
        try {
          return await this.apply(projection, batch, values, ranges, false);
        } catch (err) {
          if (!isEventFault(err)) throw err;
          this.logger.warn(
            { projection: projection.name, err: errorMessage(err) },
            'projection rejected an event; isolating it',
          );
          return this.apply(projection, batch, values, ranges, true);
        }
      }),
    );
    // Every transaction has ended before the call fails, so a retry never overlaps one of its own.
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    const outcomes = settled.map((r) => (r as PromiseFulfilledResult<Share>).value);

    // Ranges every projection is behind are stale: move back to the furthest checkpoint.
    const reposition: Array<{ topic: string; partition: number; offset: string }> = [];
    for (const r of ranges) {
      const key = rangeKey(r.topic, r.partition);
      const behind = outcomes.map((o) => o.behind.get(key));
      if (behind.some((at) => at === undefined)) continue;
      const furthest = (behind as bigint[]).reduce((a, b) => (b > a ? b : a));
      reposition.push({ topic: r.topic, partition: r.partition, offset: furthest.toString() });
    }
    if (reposition.length > 0) throw new RepositionRequest(reposition);

    const rejected = new Map<string, MessagePosition & { reason: string }>();
    for (const o of outcomes) {
      for (const x of o.rejected) {
        const key = `${x.topic}|${x.partition}|${x.offset}`;
        const before = rejected.get(key);
        rejected.set(key, before ? { ...x, reason: `${before.reason}; ${x.reason}` } : x);
      }
    }
    return { poison: [...rejected.values()] };
  }

  /** One projection's share of a call, with its checkpoints, in one transaction. */
  private async apply(
    projection: Projection,
    batch: Array<Decoded<PublicRecord>>,
    values: PublicRecord[],
    ranges: PartitionRange[],
    isolate: boolean,
  ): Promise<Share> {
    const behind = new Map<string, bigint>();
    const rejected: Share['rejected'] = [];
    await this.ds.transaction(async (em) => {
      // Before the checkpoint rows, as everything else that takes both (see replay).
      if (projection.globalLock) {
        await queryPrepared(em, `SELECT pg_advisory_xact_lock(hashtext($1))`, [
          `projection:${projection.name}`,
        ]);
      }
      const at = await this.checkpoints(em, projection, ranges);
      const from = new Map<string, bigint>();
      const advance: Array<{ topic: string; partition: number; next: bigint }> = [];
      let whole = true;
      for (const r of ranges) {
        const key = rangeKey(r.topic, r.partition);
        const first = BigInt(r.firstOffset);
        const last = BigInt(r.lastOffset);
        const position = at.get(key) ?? 0n;
        if (position > last) {
          whole = false; // applied before (a re-read after a crash before the Kafka commit)
          continue;
        }
        // Behind the range: stale, or catching up elsewhere; unless retention deleted what lay between.
        if (position < first && first > (await this.lowWatermark(r.topic, r.partition))) {
          behind.set(key, position);
          whole = false;
          continue;
        }
        if (position > first) whole = false;
        from.set(key, position);
        advance.push({ topic: r.topic, partition: r.partition, next: last + 1n });
      }
      if (advance.length === 0) return;
      let picked = whole
        ? batch
        : batch.filter((m) => {
            const start = from.get(rangeKey(m.topic, m.partition));
            return start !== undefined && BigInt(m.offset) >= start;
          });
      let records = whole ? values : picked.map((m) => m.value);

      // A tenant deleted since its events were published has nothing left to project into.
      // The lock keeps the tenants found from being deleted until this commits (the read
      // models have no foreign key to check it row by row; a trigger on tenants clears them).
      const wanted = new Set<string>();
      for (const r of records) wanted.add(r.tenant);
      const tenants = await queryPrepared<{ slug: string }>(
        em,
        `SELECT slug FROM tenants WHERE slug = ANY($1::text[]) ORDER BY slug FOR KEY SHARE`,
        [[...wanted]],
      );
      if (tenants.length < wanted.size) {
        const live = new Set(tenants.map((t) => t.slug));
        picked = picked.filter((m) => live.has(m.value.tenant));
        records = picked.map((m) => m.value);
      }

      if (!isolate) {
        await projection.apply(em, records, picked);
        this.applied += records.length;
      } else {
        for (const m of picked) {
          const r = m.value;
          await em.query(`SAVEPOINT projection_event`);
          try {
            await projection.apply(em, [r], [m]);
            await em.query(`RELEASE SAVEPOINT projection_event`);
            this.applied++;
          } catch (err) {
            if (!isEventFault(err)) throw err;
            await em.query(`ROLLBACK TO SAVEPOINT projection_event`);
            rejected.push({
              ...positionOf(batch, r),
              reason: `projection ${projection.name} rejected the event: ${errorMessage(err)}`,
            });
          }
        }
      }

      await queryPrepared(
        em,
        `INSERT INTO projection_checkpoints (projection, topic, partition, next_offset, updated_at)
         SELECT $1, topic, partition, next_offset, now()
           FROM unnest($2::text[], $3::int[], $4::bigint[]) AS c(topic, partition, next_offset)
         ON CONFLICT (projection, topic, partition) DO UPDATE SET next_offset = EXCLUDED.next_offset, updated_at = now()`,
        [
          projection.name,
          advance.map((a) => a.topic),
          advance.map((a) => a.partition),
          advance.map((a) => a.next.toString()),
        ],
      );
    });
    return { behind, rejected };
  }

  /**
   * The earliest offset still in a partition, looked up at most every few seconds. Only
   * ever compared with offsets fetched since, which retention cannot have passed: a stale
   * (lower) answer can only make a gap look like a lag, which the catch-up resolves.
   */
  private async lowWatermark(topic: string, partition: number): Promise<bigint> {
    const key = rangeKey(topic, partition);
    const cached = this.lows.get(key);
    if (cached && Date.now() - cached.at < LOW_WATERMARK_TTL_MS) return cached.low;
    const low = await this.kafka.lowWatermark(topic, partition);
    this.lows.set(key, { low, at: Date.now() });
    return low;
  }

  /** The next offset to apply per partition of the call, the rows locked for the transaction. */
  private async checkpoints(
    em: EntityManager,
    projection: Projection,
    ranges: PartitionRange[],
  ): Promise<Map<string, bigint>> {
    const rows = await queryPrepared<{ topic: string; partition: number; next_offset: string }>(
      em,
      `SELECT c.topic, c.partition, c.next_offset
         FROM projection_checkpoints c
         JOIN unnest($2::text[], $3::int[]) AS r(topic, partition) USING (topic, partition)
        WHERE c.projection = $1
        ORDER BY c.topic, c.partition
          FOR UPDATE OF c`,
      [projection.name, ranges.map((r) => r.topic), ranges.map((r) => r.partition)],
    );
    return new Map(rows.map((r) => [rangeKey(r.topic, r.partition), BigInt(r.next_offset)]));
  }

  private async currentGenerations(): Promise<Map<string, number>> {
    const rows: Array<{ projection: string; generation: number }> = await this.ds.query(
      `SELECT projection, generation FROM projection_control WHERE projection = ANY($1::text[])`,
      [this.projections.map((p) => p.name)],
    );
    return new Map(rows.map((r) => [r.projection, r.generation]));
  }

  /** Seeks the given partitions to their furthest checkpoint (0 when none: the earliest offset). */
  private async moveToCheckpoints(partitions: number[]): Promise<void> {
    const consumer = this.consumer();
    if (!consumer) {
      this.pendingAssignment = partitions;
      return;
    }
    this.pendingAssignment = undefined;
    if (partitions.length === 0) return;
    const rows: Array<{ partition: number; next_offset: string }> = await this.ds.query(
      `SELECT partition, max(next_offset)::text AS next_offset FROM projection_checkpoints
        WHERE projection = ANY($1::text[]) AND topic = $2 AND partition = ANY($3::int[])
        GROUP BY partition`,
      [this.projections.map((p) => p.name), Topics.publicEvents, partitions],
    );
    for (const partition of partitions) {
      const next = rows.find((r) => r.partition === partition)?.next_offset ?? '0';
      this.logger.debug({ partition, offset: next }, 'moving to checkpoint');
      consumer.seek(Topics.publicEvents, partition, next);
    }
  }

  /** Liveness for `herald replay`, and repositioning after a reset. */
  private async poll(): Promise<void> {
    if (this.pendingAssignment && this.consumer()) await this.moveToCheckpoints(this.pendingAssignment);
    await this.ds.query(
      `UPDATE projection_control SET last_seen_at = now() WHERE projection = ANY($1::text[])`,
      [this.projections.map((p) => p.name)],
    );
    const generations = await this.currentGenerations();
    const changed = [...generations].filter(([name, g]) => this.generations.get(name) !== g);
    this.generations = generations;
    if (changed.length === 0) return;
    this.logger.info(
      { projections: changed.map(([name]) => name), generations: changed.map(([, g]) => g) },
      'projection reset: repositioning',
    );
    await this.moveToCheckpoints(this.consumer()?.assignment().get(Topics.publicEvents) ?? []);
  }
}

/**
 * Per projection, the partitions where it is behind another projection: what a catch-up
 * runner still has to bring it through. One query over the checkpoints, of the given
 * partitions only when `partitions` is given.
 *
 * The projections of a group commit each call separately, so while one is in flight they
 * may differ for a moment without any being behind: a projector asks about its own
 * partitions between calls (see ProjectionRunner.betweenCalls).
 */
export async function laggingProjections(
  ds: DataSource,
  names: readonly string[],
  partitions?: number[],
): Promise<Map<string, number[]>> {
  const rows: Array<{ projection: string; partition: number; next_offset: string }> = await ds.query(
    `SELECT projection, partition, next_offset FROM projection_checkpoints
      WHERE topic = $1 AND projection = ANY($2::text[]) AND ($3::int[] IS NULL OR partition = ANY($3::int[]))`,
    [Topics.publicEvents, names, partitions ?? null],
  );
  const byPartition = new Map<number, Map<string, bigint>>();
  for (const r of rows) {
    let of = byPartition.get(r.partition);
    if (!of) byPartition.set(r.partition, (of = new Map<string, bigint>()));
    of.set(r.projection, BigInt(r.next_offset));
  }
  const out = new Map<string, number[]>();
  for (const [partition, of] of byPartition) {
    const furthest = [...of.values()].reduce((a, b) => (b > a ? b : a), 0n);
    for (const name of names) {
      if ((of.get(name) ?? 0n) >= furthest) continue;
      const list = out.get(name) ?? [];
      list.push(partition);
      out.set(name, list);
    }
  }
  return out;
}

function rangeKey(topic: string, partition: number): string {
  return `${topic}|${partition}`;
}

function positionOf(batch: Array<Decoded<PublicRecord>>, record: PublicRecord): MessagePosition {
  const m = batch.find((x) => x.value === record)!;
  return { topic: m.topic, partition: m.partition, offset: m.offset };
}

/**
 * Whether applying an event failed because of the event (it will fail again, however
 * often it is retried) rather than because of the database being unreachable, busy or
 * shutting down. SQLSTATE classes 08 (connection), 40 (serialization, deadlock), 53
 * (resources), 57 (operator intervention) and 58 (system), a unique violation (23505, two
 * writers creating one row), and socket errors, are the passing kind; anything else the projection's code or SQL raises is the event's fault.
 */
function isEventFault(err: unknown): boolean {
  const e = err as { driverError?: { code?: unknown }; code?: unknown; message?: unknown };
  const code = e?.driverError?.code ?? e?.code;
  if (typeof code === 'string') {
    if (/^(08|40|53|57|58)/.test(code)) return false;
    // Two writers inserting the same new read-model row (see foldPerSubject): apply again.
    if (code === '23505') return false;
    if (/^E[A-Z]+$/.test(code)) return false; // ECONNRESET, ETIMEDOUT, EPIPE…
  }
  const message = typeof e?.message === 'string' ? e.message : '';
  return !/connection|terminat|timeout/i.test(message);
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
