/**
 * Rebuilds read models from the public topic, against a running system.
 *
 * One transaction per projection resets it: from offset 0 its tables are emptied, and
 * its checkpoints are set to the target offsets. A running projector (anywhere) sees
 * its position go stale and moves back to the checkpoint by itself — its in-flight
 * batch is rolled back, so the projection is effectively paused, reset and resumed.
 * When no projector has reported in for a while, the replay runs the projection
 * in-process until it has caught up with the log end offsets taken at the start.
 */
import { Topics } from '@herald/contracts';
import { createLogger, HeraldProducer, StandaloneConsumerFactory } from '@herald/platform';
import type { Admin, Kafka } from '@herald/platform';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { allProjections } from '../projector/projector.service';
import { Projection, ProjectionName, PROJECTION_NAMES } from '../projector/projection';
import { ProjectionRunner } from '../projector/projection-runner';

export type ReplayFrom = { offset: bigint } | { time: Date };

export interface ReplayProgress {
  projection: ProjectionName;
  done: bigint;
  total: bigint;
}

export interface ReplayResult {
  projection: ProjectionName;
  from: Record<number, string>;
  to: Record<number, string>;
  events: number;
  rebuilt_from_scratch: boolean;
  ran_in_process: boolean;
  duration_ms: number;
}

const LIVENESS_WINDOW_S = 5;

export class ProjectionReplayer {
  constructor(
    private readonly ds: DataSource,
    private readonly admin: Admin,
    private readonly kafka: Kafka,
    private readonly logger: Logger = createLogger({ level: 'silent' }),
    private readonly stallMs = 120_000,
  ) {}

  static names(which: string): ProjectionName[] {
    if (which === 'all') return [...PROJECTION_NAMES];
    if ((PROJECTION_NAMES as readonly string[]).includes(which)) return [which as ProjectionName];
    throw new Error(`unknown projection "${which}": use ${PROJECTION_NAMES.join(', ')} or all`);
  }

  async replay(
    name: ProjectionName,
    from: ReplayFrom,
    onProgress?: (p: ReplayProgress) => void,
  ): Promise<ReplayResult> {
    const started = Date.now();
    const projection = allProjections().find((p) => p.name === name)!;
    const topic = Topics.publicEvents;
    const ends = await this.admin.fetchTopicOffsets(topic);
    const targets = await this.targets(topic, from, ends);
    // From offset 0 the read model is emptied first, so the rebuild equals a first build.
    const scratch = 'offset' in from && from.offset === 0n;
    const high = new Map(ends.map((e) => [e.partition, BigInt(e.high)]));

    await this.reset(projection, topic, targets, scratch);

    const live = await this.projectorAlive(name);
    let runner: ProjectionRunner | undefined;
    let producer: HeraldProducer | undefined;
    if (!live) {
      producer = new HeraldProducer(this.kafka);
      await producer.connect();
      runner = new ProjectionRunner(
        [projection],
        new StandaloneConsumerFactory(this.kafka, producer, this.logger),
        this.ds,
        this.logger,
      );
      await runner.start();
    }
    const total = [...targets].reduce(
      (sum, [p, o]) => sum + ((high.get(p) ?? 0n) - o > 0n ? (high.get(p) ?? 0n) - o : 0n),
      0n,
    );
    let lastRemaining = -1n;
    let lastMove = Date.now();
    try {
      for (;;) {
        const rows: Array<{ partition: number; next_offset: string }> = await this.ds.query(
          `SELECT partition, next_offset FROM projection_checkpoints WHERE projection = $1 AND topic = $2`,
          [name, topic],
        );
        let remaining = 0n;
        for (const [p, h] of high) {
          const at = BigInt(rows.find((r) => r.partition === p)?.next_offset ?? '0');
          if (h > at) remaining += h - at;
        }
        onProgress?.({ projection: name, done: total - remaining, total });
        if (remaining === 0n) break;
        if (remaining !== lastRemaining) {
          lastRemaining = remaining;
          lastMove = Date.now();
        } else if (Date.now() - lastMove > this.stallMs) {
          const detail = [...high]
            .map(
              ([p, h]) =>
                `partition ${p} at ${rows.find((r) => r.partition === p)?.next_offset ?? '0'} of ${h}`,
            )
            .join(', ');
          throw new Error(
            `replay of ${name} made no progress for ${this.stallMs / 1000}s (${detail}); is a projector running?`,
          );
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    } finally {
      await runner?.stop();
      await producer?.disconnect();
    }
    return {
      projection: name,
      from: Object.fromEntries([...targets].map(([p, o]) => [p, o.toString()])),
      to: Object.fromEntries([...high].map(([p, o]) => [p, o.toString()])),
      events: Number(total),
      rebuilt_from_scratch: scratch,
      ran_in_process: !live,
      duration_ms: Date.now() - started,
    };
  }

  private async targets(
    topic: string,
    from: ReplayFrom,
    ends: Array<{ partition: number; low: string; high: string }>,
  ): Promise<Map<number, bigint>> {
    const out = new Map<number, bigint>();
    if ('offset' in from) {
      for (const e of ends) {
        const low = BigInt(e.low);
        const high = BigInt(e.high);
        out.set(e.partition, from.offset < low ? low : from.offset > high ? high : from.offset);
      }
      return out;
    }
    const byTime = await this.admin.fetchTopicOffsetsByTimestamp(topic, from.time.getTime());
    for (const e of ends) {
      const t = byTime.find((b) => b.partition === e.partition);
      // -1: no record at or after that time in this partition → start at its end.
      out.set(e.partition, t && t.offset !== '-1' ? BigInt(t.offset) : BigInt(e.high));
    }
    return out;
  }

  private async reset(
    projection: Projection,
    topic: string,
    targets: Map<number, bigint>,
    scratch: boolean,
  ): Promise<void> {
    await this.ds.transaction(async (em) => {
      await em.query(`SELECT generation FROM projection_control WHERE projection = $1 FOR UPDATE`, [
        projection.name,
      ]);
      // Serialise with in-flight batches: they hold the projection's advisory lock (if it has
      // one), then its checkpoint rows FOR UPDATE; taken in the same order, so no deadlock.
      if (projection.globalLock)
        await em.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`projection:${projection.name}`]);
      await em.query(`SELECT 1 FROM projection_checkpoints WHERE projection = $1 FOR UPDATE`, [
        projection.name,
      ]);
      if (scratch) await em.query(`TRUNCATE ${projection.tables.join(', ')}`);
      for (const [partition, offset] of targets) {
        await em.query(
          `INSERT INTO projection_checkpoints (projection, topic, partition, next_offset, updated_at)
           VALUES ($1, $2, $3, $4, now())
           ON CONFLICT (projection, topic, partition) DO UPDATE SET next_offset = EXCLUDED.next_offset, updated_at = now()`,
          [projection.name, topic, partition, offset.toString()],
        );
      }
      await em.query(
        `UPDATE projection_control SET generation = generation + 1, rebuild_target = $2 WHERE projection = $1`,
        [
          projection.name,
          JSON.stringify(Object.fromEntries([...targets].map(([p, o]) => [p, o.toString()]))),
        ],
      );
    });
  }

  private async projectorAlive(name: ProjectionName): Promise<boolean> {
    const rows: Array<{ alive: boolean }> = await this.ds.query(
      `SELECT last_seen_at > now() - make_interval(secs => $2) AS alive FROM projection_control WHERE projection = $1`,
      [name, LIVENESS_WINDOW_S],
    );
    return rows[0]?.alive === true;
  }
}
