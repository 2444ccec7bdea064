/**
 * The consumer roles' Nest transport against the real broker: a controller method declared
 * with `@ConsumeBatches` receives decoded batches through Nest; poison is dead-lettered and
 * offsets are committed only once the handler resolved; what a handler throws reaches the
 * consumer as thrown (a `RepositionRequest` repositions, an error is retried without a
 * commit); `@OnAssignment` hears the group's partitions; a misdeclared group stops start-up;
 * closing the application stops the group.
 */
import { Controller, Module, Type } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import type { TopicSpec } from '@herald/contracts';
import {
  ConsumeBatches,
  ConsumedBatch,
  ConsumerGroupContext,
  createLogger,
  createRolesApp,
  ensureTopics,
  groupLag,
  HeraldProducer,
  KafkaService,
  OnAssignment,
  PoisonMessageError,
  RepositionRequest,
  startRoles,
} from '@herald/platform';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';
import { testConfig } from '../support/app';
import { eventually, testKafka, uniqueName } from '../support/infra';

function decodeNumber(message: KafkaMessage): number {
  const n = Number(message.value?.toString('utf8'));
  if (!Number.isInteger(n)) throw new PoisonMessageError('not an integer');
  return n;
}

interface Probe {
  calls: number[][];
  groups: string[];
  assignments: Array<Record<string, number[]>>;
  /** Decides what a call does, by its number (1-based). */
  onCall?: (call: number, batch: ConsumedBatch<number>) => Promise<void> | void;
}

/** A module whose one controller consumes `topic` as `groupId`, recording what it sees. */
function probeModule(groupId: string, topic: string, probe: Probe): Type<unknown> {
  @Controller()
  class ProbeConsumer {
    @ConsumeBatches<number>({
      groupId,
      topics: [topic],
      fromBeginning: true,
      decode: decodeNumber,
      retry: { initialMs: 50, maxMs: 200 },
    })
    async consume(@Payload() batch: ConsumedBatch<number>, @Ctx() ctx: ConsumerGroupContext): Promise<void> {
      probe.calls.push(batch.messages.map((m) => m.value));
      probe.groups.push(ctx.groupId);
      await probe.onCall?.(probe.calls.length, batch);
    }

    @OnAssignment(groupId)
    assigned(@Payload() assignment: ReadonlyMap<string, number[]>): void {
      probe.assignments.push(Object.fromEntries(assignment));
    }
  }
  @Module({ controllers: [ProbeConsumer] })
  class ProbeModule {}
  return ProbeModule;
}

describe('Nest transport of the consumer roles (real broker)', () => {
  let kafka: Kafka;
  let admin: Admin;
  let producer: HeraldProducer;
  const apps: NestFastifyApplication[] = [];

  beforeAll(async () => {
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
    producer = new HeraldProducer(kafka);
    await producer.connect();
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await producer.disconnect();
    await admin.disconnect();
  });

  async function topic(partitions: number): Promise<string> {
    const name = `herald.internal.${uniqueName('nt').replace('-', '')}.v1`;
    await ensureTopics(admin, { partitions, retentionMs: -1 }, [
      { name, role: 'internal' } as unknown as TopicSpec,
    ]);
    return name;
  }

  async function start(module: Type<unknown>): Promise<NestFastifyApplication> {
    const app = await createRolesApp([module], testConfig(), createLogger({ level: 'silent' }));
    apps.push(app);
    await startRoles(app);
    return app;
  }

  it('hands decoded batches to the handler, dead-letters poison and commits after the handler', async () => {
    const t = await topic(2);
    const groupId = uniqueName('nest-group');
    const probe: Probe = { calls: [], groups: [], assignments: [] };
    const app = await start(probeModule(groupId, t, probe));
    await eventually(async () => probe.assignments.length > 0);
    expect(probe.assignments.at(-1)).toEqual({ [t]: [0, 1] });

    await producer.send(t, [
      { key: 'a', value: '1' },
      { key: 'a', value: 'one' },
      { key: 'b', value: '2' },
      { key: 'a', value: '3' },
    ]);
    await eventually(async () => probe.calls.flat().length === 3);
    expect(probe.calls.flat().sort()).toEqual([1, 2, 3]);
    expect(new Set(probe.groups)).toEqual(new Set([groupId]));
    await eventually(async () => (await groupLag(admin, groupId, [t])).every((p) => p.lag === 0));
    const consumer = app.get(KafkaService).running(groupId);
    expect(consumer?.stats).toMatchObject({ processed: 3, deadLettered: 1, failedBatches: 0 });

    await app.close();
    apps.splice(apps.indexOf(app), 1);
    expect(consumer?.isStopped).toBe(true);
  });

  it('gives the consumer what the handler threw: a reposition is obeyed, an error retried uncommitted', async () => {
    const t = await topic(1);
    const groupId = uniqueName('nest-throw');
    await producer.send(
      t,
      [1, 2, 3].map((n) => ({ key: 'k', value: String(n) })),
    );
    const committedWhileFailing: string[] = [];
    const probe: Probe = {
      calls: [],
      groups: [],
      assignments: [],
      onCall: async (call) => {
        // Skip offset 0: a RepositionRequest that arrived as Nest's anonymous "Internal
        // server error" would be retried from 0 instead, and counted as a failure.
        if (call === 1) throw new RepositionRequest([{ topic: t, partition: 0, offset: '1' }]);
        if (call === 2 || call === 3) {
          const [p] = (await admin.fetchOffsets({ groupId, topics: [t] }))[0]!.partitions;
          committedWhileFailing.push(p!.offset);
          throw new Error('database unavailable');
        }
      },
    };
    const app = await start(probeModule(groupId, t, probe));
    await eventually(async () => (await groupLag(admin, groupId, [t]))[0]?.committed === '3');
    expect(probe.calls).toEqual([
      [1, 2, 3],
      [2, 3],
      [2, 3],
      [2, 3],
    ]);
    expect(committedWhileFailing).toEqual(['-1', '-1']);
    expect(app.get(KafkaService).running(groupId)?.stats).toMatchObject({ processed: 2, failedBatches: 2 });
  });

  it('refuses to start an @OnAssignment that names no declared group', async () => {
    @Controller()
    class Stray {
      @OnAssignment('herald.no-such-group')
      assigned(): void {}
    }
    @Module({ controllers: [Stray] })
    class StrayModule {}
    await expect(start(StrayModule)).rejects.toThrow(
      '@OnAssignment(herald.no-such-group) names no group declared with @ConsumeBatches',
    );
  });
});
