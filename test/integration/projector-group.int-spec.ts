/**
 * The projector's one consumer group for every read model, on the real broker and
 * database: the projections stay level with each other, and one that falls behind (as a
 * replay leaves it) is brought back by a catch-up runner of its own while the others keep
 * projecting what arrives; its consumer group is deleted when it is done.
 */
import { Topics } from '@herald/contracts';
import {
  laggingProjections,
  PROJECTION_NAMES,
  PROJECTOR_GROUP,
  projectorGroup,
  ProjectorService,
} from '@herald/events';
import { TenantsRepository } from '@herald/platform';
import { CommandsModule } from '../../apps/commands/src/commands.module';
import { ProjectorModule } from '../../apps/projector/src/projector.module';
import { TranslatorModule } from '../../apps/translator/src/translator.module';
import { internalEvent, postCreatedEvent } from '../fixtures/internal-events';
import { postJson, startTestApp, TestApp } from '../support/app';
import { eventually, testKafka, uniqueName } from '../support/infra';

const POSTS = 30;

function user(tenant: string, id: number): Record<string, unknown> {
  return internalEvent(tenant, {
    kind: 'account.user.registered',
    data: { user_id: id, username: `user${id}`, email: 'u@example.com', ip: '203.0.113.1' },
  });
}

/** The consumer groups the broker knows, by state. */
async function groups(): Promise<Map<string, string>> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const { groups: listed } = await admin.listGroups();
    const { groups: described } = await admin.describeGroups(listed.map((g) => g.groupId));
    return new Map(described.map((g) => [g.groupId, g.state]));
  } finally {
    await admin.disconnect();
  }
}

async function count(app: TestApp, table: string, tenant: string): Promise<number> {
  const [row] = await app.ds.query(`SELECT count(*)::int AS n FROM ${table} WHERE tenant = $1`, [tenant]);
  return (row as { n: number }).n;
}

describe('projector: one consumer group for every read model', () => {
  let app: TestApp;
  const tenant = uniqueName('group');

  beforeAll(async () => {
    app = await startTestApp([CommandsModule, TranslatorModule, ProjectorModule]);
    await new TenantsRepository(app.ds).create(tenant);
    const events = [
      ...Array.from({ length: POSTS }, (_, i) => postCreatedEvent(tenant, i + 1)),
      user(tenant, 1),
      user(tenant, 2),
    ];
    expect((await postJson(`${app.baseUrl}/internal/v1/events`, events)).status).toBe(202);
    await eventually(async () => (await count(app, 'posts', tenant)) === POSTS, 30_000);
    await eventually(async () => (await count(app, 'users', tenant)) === 2, 30_000);
  });

  afterAll(async () => {
    await app.close();
  });

  it('reads the public topic once, in the projector group, and keeps every projection level', async () => {
    const admin = testKafka().admin();
    await admin.connect();
    try {
      // Offsets are committed a moment after the call that applied them.
      await eventually(async () => {
        const [offsets] = await admin.fetchOffsets({
          groupId: PROJECTOR_GROUP,
          topics: [Topics.publicEvents],
        });
        return offsets!.partitions.some((p) => Number(p.offset) > 0);
      }, 10_000);
    } finally {
      await admin.disconnect();
    }
    await eventually(async () => (await laggingProjections(app.ds, PROJECTION_NAMES)).size === 0, 10_000);
    expect(app.app.get(ProjectorService).catchUps.size).toBe(0);
  });

  it('catches a projection that fell behind up in a runner of its own while the others stay live', async () => {
    const projector = app.app.get(ProjectorService);
    const postsBefore: unknown[] = await app.ds.query(`SELECT * FROM posts WHERE tenant = $1 ORDER BY id`, [
      tenant,
    ]);
    // Back to the start of the topic, as `replay --from-offset 0` leaves it (without emptying it).
    await app.ds.query(`UPDATE projection_checkpoints SET next_offset = 0 WHERE projection = 'posts'`);
    await eventually(async () => projector.catchUps.has('posts'), 10_000);

    // What arrives meanwhile reaches the projections that are level.
    expect(
      (
        await postJson(`${app.baseUrl}/internal/v1/events`, [
          postCreatedEvent(tenant, POSTS + 1),
          user(tenant, 3),
        ])
      ).status,
    ).toBe(202);
    await eventually(async () => (await count(app, 'users', tenant)) === 3, 30_000);
    await eventually(async () => (await count(app, 'events', tenant)) === POSTS + 4, 30_000);

    // The lagging one catches up, including the new post, and its runner then stops.
    await eventually(
      async () => (await count(app, 'posts', tenant)) === POSTS + 1 && projector.catchUps.size === 0,
      120_000,
      200,
    );
    // Its consumer group goes with it: no lag view shows a group nobody reads for.
    await eventually(async () => !(await groups()).has(projectorGroup('posts')), 10_000);
    // Asked between the group's calls, when its projections have committed the same ones.
    expect(
      (await projector.runner.betweenCalls(() => laggingProjections(app.ds, PROJECTION_NAMES))).size,
    ).toBe(0);
    const postsAfter: unknown[] = await app.ds.query(
      `SELECT * FROM posts WHERE tenant = $1 AND id <= $2 ORDER BY id`,
      [tenant, POSTS],
    );
    expect(postsAfter).toEqual(postsBefore);

    // And it is projected by the group again, with the others.
    expect(
      (await postJson(`${app.baseUrl}/internal/v1/events`, [postCreatedEvent(tenant, POSTS + 2)])).status,
    ).toBe(202);
    await eventually(async () => (await count(app, 'posts', tenant)) === POSTS + 2, 30_000);
    expect(projector.catchUps.size).toBe(0);
  }, 180_000);

  it('deletes catch-up groups left behind when a projector starts, and leaves one still in use', async () => {
    const kafka = testKafka();
    const admin = kafka.admin();
    await admin.connect();
    // Left behind: committed offsets, no member (a projector died while catching up).
    const stale = projectorGroup('users');
    await admin.setOffsets({
      groupId: stale,
      topic: Topics.publicEvents,
      partitions: [{ partition: 0, offset: '0' }],
    });
    // In use: another projector still catching up in it.
    const busy = projectorGroup('events');
    const member = kafka.consumer({ groupId: busy });
    await member.connect();
    await member.subscribe({ topic: Topics.publicEvents });
    await member.run({ eachBatch: async () => undefined, autoCommit: false });
    let second: TestApp | undefined;
    try {
      await eventually(async () => (await groups()).get(busy) === 'Stable', 30_000);
      expect((await groups()).get(stale)).toBe('Empty');

      second = await startTestApp([ProjectorModule]);
      const after = await groups();
      expect(after.has(stale)).toBe(false);
      expect(after.get(busy)).toBe('Stable');
    } finally {
      await second?.close();
      await member.disconnect();
      await eventually(async () => (await groups()).get(busy) !== 'Stable', 30_000);
      await admin.deleteGroups([busy]).catch(() => undefined);
      await admin.disconnect();
    }
  }, 120_000);
});
