/**
 * The projector role: one runner applies every read model (events, users, posts) in one
 * consumer group, so each record is fetched, decoded and written in one transaction once.
 * A projection found behind the others (a replay reset it, or it was added later) gets a
 * catch-up runner of its own until it is level with them again; the runner's consumer group
 * is then deleted, so that operators' lag views show no group nobody reads for.
 */
import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Topics } from '@herald/contracts';
import {
  deleteConsumerGroup,
  HERALD_LOGGER,
  HeraldMetrics,
  KafkaService,
  Sample,
  throttled,
} from '@herald/platform';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { EventsProjection } from './events.projection';
import { PostsProjection } from './posts.projection';
import { Projection, ProjectionName, projectorGroup } from './projection';
import { laggingProjections, ProjectionRunner } from './projection-runner';
import { UsersProjection } from './users.projection';

export function allProjections(): Projection[] {
  return [new EventsProjection(), new UsersProjection(), new PostsProjection()];
}

const CATCH_UP_CHECK_MS = 1000;

@Injectable()
export class ProjectorService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly runner: ProjectionRunner;
  /** Runners bringing one projection level with the others, by projection. */
  readonly catchUps = new Map<ProjectionName, ProjectionRunner>();
  private readonly projections = allProjections();
  private readonly logger: Logger;
  private timer?: NodeJS.Timeout;
  private checking?: Promise<void>;
  private stopping = false;

  constructor(
    private readonly kafka: KafkaService,
    private readonly ds: DataSource,
    @Inject(HERALD_LOGGER) logger: Logger,
    metrics: HeraldMetrics,
  ) {
    this.logger = logger.child({ component: 'projector' });
    this.runner = new ProjectionRunner(this.projections, kafka, ds, this.logger);
    metrics.addProjectionLagSource(throttled(() => this.projectionLag()));
  }

  /**
   * The runner over every projection is fed by the role's transport (apps/projector), whose
   * group starts after this: it follows that group's consumer from here on.
   */
  async onApplicationBootstrap(): Promise<void> {
    await this.runner.prepare();
    await this.runner.follow(() => this.kafka.running(this.runner.groupId));
    await this.checkLag();
    await this.deleteIdleCatchUpGroups();
    this.timer = setInterval(() => {
      this.checking ??= this.checkLag()
        .catch((err: unknown) => this.logger.warn({ err }, 'projection lag check failed'))
        .finally(() => (this.checking = undefined));
    }, CATCH_UP_CHECK_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    await this.checking;
    await Promise.all([this.runner.stop(), ...[...this.catchUps.values()].map((r) => r.stop())]);
    this.catchUps.clear();
  }

  /**
   * How far each projection's checkpoints are behind the public topic's log end offsets:
   * a partition it has no checkpoint for counts from the earliest offset still in the log.
   */
  private async projectionLag(): Promise<Array<Sample<'projection' | 'partition'>>> {
    const [ends, rows] = await Promise.all([
      this.kafka.admin.fetchTopicOffsets(Topics.publicEvents),
      this.ds.query<Array<{ projection: string; partition: number; next_offset: string }>>(
        `SELECT projection, partition, next_offset::text AS next_offset
           FROM projection_checkpoints WHERE topic = $1`,
        [Topics.publicEvents],
      ),
    ]);
    const at = new Map(rows.map((r) => [`${r.projection}|${r.partition}`, BigInt(r.next_offset)]));
    const out: Array<Sample<'projection' | 'partition'>> = [];
    for (const { name } of this.projections) {
      for (const e of ends) {
        const next = at.get(`${name}|${e.partition}`) ?? BigInt(e.low);
        const lag = BigInt(e.high) - next;
        out.push({
          labels: { projection: name, partition: e.partition },
          value: Number(lag > 0n ? lag : 0n),
        });
      }
    }
    return out;
  }

  /**
   * Starts a catch-up runner for each projection behind another on a partition this
   * projector owns (asked between calls, when the group's projections are level unless one
   * really is behind), and stops those that are level again on every partition.
   */
  private async checkLag(): Promise<void> {
    const names = this.projections.map((p) => p.name);
    const owned = this.runner.ownedPartitions();
    const here =
      owned.length === 0
        ? new Map<string, number[]>()
        : await this.runner.betweenCalls(() => laggingProjections(this.ds, names, owned));
    const anywhere = this.catchUps.size > 0 ? await laggingProjections(this.ds, names) : here;
    for (const projection of this.projections) {
      if (this.stopping) return;
      const running = this.catchUps.get(projection.name);
      const behind = running ? anywhere.get(projection.name) : here.get(projection.name);
      if (behind && !running) {
        this.logger.info(
          { projection: projection.name, partitions: behind },
          'projection behind: catching up',
        );
        const runner = new ProjectionRunner(
          [projection],
          this.kafka,
          this.ds,
          this.logger.child({ projection: projection.name, catchUp: true }),
          { groupId: projectorGroup(projection.name), minCycleMs: 0 },
        );
        this.catchUps.set(projection.name, runner);
        await runner.start();
      } else if (!behind && running) {
        this.logger.info({ projection: projection.name }, 'projection level with the others again');
        this.catchUps.delete(projection.name);
        await running.stop();
        // Its own leave may not be processed yet (three tries); a group another projector
        // still catches up in is left to that one, which deletes it when it is done.
        await this.deleteCatchUpGroup(running.groupId, 3);
      }
    }
  }

  /**
   * Deletes the catch-up group of each projection that has no catch-up runner here: one a
   * projector left behind when it stopped or died while catching up. Nothing is lost with
   * its offsets: a catch-up runner starts from the projection's checkpoints, never from
   * its group's offsets. A group still in use by another projector is left to it.
   */
  private async deleteIdleCatchUpGroups(): Promise<void> {
    for (const { name } of this.projections) {
      if (!this.catchUps.has(name)) await this.deleteCatchUpGroup(projectorGroup(name), 1);
    }
  }

  private async deleteCatchUpGroup(groupId: string, tries: number): Promise<void> {
    try {
      const outcome = await deleteConsumerGroup(this.kafka.admin, groupId, tries);
      if (outcome === 'deleted') this.logger.info({ group: groupId }, 'catch-up consumer group deleted');
      else if (outcome === 'in use')
        this.logger.info({ group: groupId }, 'catch-up consumer group still in use elsewhere');
    } catch (err) {
      this.logger.warn({ err, group: groupId }, 'catch-up consumer group not deleted');
    }
  }
}
