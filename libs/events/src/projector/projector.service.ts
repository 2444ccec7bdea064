/** The projector role: one runner per read model (events, users, posts). */
import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { HERALD_LOGGER, KafkaService } from '@herald/platform';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { EventsProjection } from './events.projection';
import { PostsProjection } from './posts.projection';
import { Projection } from './projection';
import { ProjectionRunner } from './projection-runner';
import { UsersProjection } from './users.projection';

export function allProjections(): Projection[] {
  return [new EventsProjection(), new UsersProjection(), new PostsProjection()];
}

@Injectable()
export class ProjectorService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly runners: ProjectionRunner[];

  constructor(kafka: KafkaService, ds: DataSource, @Inject(HERALD_LOGGER) logger: Logger) {
    const log = logger.child({ component: 'projector' });
    this.runners = allProjections().map(
      (p) => new ProjectionRunner(p, kafka, ds, log.child({ projection: p.name })),
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    await Promise.all(this.runners.map((r) => r.start()));
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.runners.map((r) => r.stop()));
  }
}
