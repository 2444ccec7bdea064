/**
 * kill -9 of a projector process in the middle of its work loses and duplicates
 * nothing: read-model rows and checkpoints commit together, so the restarted process
 * resumes exactly where the last committed batch ended.
 */
import { Topics } from '@herald/contracts';
import { createDataSource, freePort, HeraldProducer, migrate, TenantsRepository } from '@herald/platform';
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { eventually, freshDatabase, testKafka, testKafkaBrokers, uniqueName } from '../support/infra';
import { cleanEnv, HERALD_BIN, REPO_ROOT } from '../support/herald-process';
import { postCreated, userUpdated } from '../fixtures/public-events';

const EVENTS = 40_000;
const USERS = 50;

function startProjector(env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [path.join(REPO_ROOT, 'dist/apps/projector/src/main.js')], {
    env,
    stdio: 'ignore',
  });
}

describe('projector crash safety', () => {
  let ds: DataSource;
  let env: NodeJS.ProcessEnv;
  const tenant = uniqueName('crash');

  beforeAll(async () => {
    spawnSync(process.execPath, [HERALD_BIN, '--help'], { stdio: 'ignore' }); // builds dist/ when stale
    const url = await freshDatabase();
    ds = await createDataSource({ url, poolSize: 2 }).initialize();
    await migrate(ds);
    await new TenantsRepository(ds).create(tenant);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-crash-'));
    env = cleanEnv({
      DATABASE_URL: url,
      KAFKA_BROKERS: testKafkaBrokers().join(','),
      PORT: String(await freePort()),
      HERALD_DATA_DIR: dataDir,
      NODE_ENV: 'test',
    });

    // Public events straight onto the public topic: a post per event, and a rename of a user.
    const producer = new HeraldProducer(testKafka());
    await producer.connect();
    for (let start = 0; start < EVENTS; start += 5000) {
      const messages = [];
      for (let i = start; i < start + 5000; i++) {
        const user = (i % USERS) + 1;
        const id = `evt_${String(i).padStart(26, '0')}`.slice(0, 30);
        messages.push(
          i % 2 === 0
            ? postCreated(tenant, id, i + 1, user, `t${i}`)
            : userUpdated(tenant, id, user, `name-${i}`),
        );
      }
      await producer.send(Topics.publicEvents, messages);
    }
    await producer.disconnect();
  });

  afterAll(async () => {
    await ds.destroy();
  });

  const count = async (): Promise<number> =>
    (await ds.query(`SELECT count(*)::int AS n FROM events WHERE tenant = $1`, [tenant]))[0].n as number;

  it('resumes after kill -9 with every event projected exactly once', async () => {
    const first = startProjector(env);
    const t0 = Date.now();
    const atKill = await eventually(
      async () => {
        const n = await count();
        return n > 0 ? n : undefined;
      },
      60_000,
      10,
    );
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const afterKill = await count();
    expect(afterKill).toBeGreaterThanOrEqual(atKill);
    expect(afterKill).toBeLessThan(EVENTS); // it died mid-way

    const second = startProjector(env);
    try {
      // Every projection (its own consumer group) has reached the end of the topic.
      const admin = testKafka().admin();
      await admin.connect();
      const ends = await admin.fetchTopicOffsets(Topics.publicEvents);
      await admin.disconnect();
      const end = ends.reduce((sum, e) => sum + Number(e.high), 0);
      await eventually(
        async () => {
          const rows: Array<{ projection: string; total: string }> = await ds.query(
            `SELECT projection, sum(next_offset)::bigint AS total FROM projection_checkpoints GROUP BY projection`,
          );
          return rows.length === 3 && rows.every((r) => Number(r.total) === end);
        },
        90_000,
        200,
      );
    } finally {
      second.kill('SIGTERM');
      await new Promise((r) => second.once('exit', r));
    }
    process.stdout.write(
      `projector crash test: killed at ${atKill}/${EVENTS}, done in ${Date.now() - t0} ms\n`,
    );
    const [dup] = await ds.query(
      `SELECT count(*)::int AS n, count(DISTINCT id)::int AS d FROM events WHERE tenant = $1`,
      [tenant],
    );
    expect(dup).toEqual({ n: EVENTS, d: EVENTS });
    const [posts] = await ds.query(`SELECT count(*)::int AS n FROM posts WHERE tenant = $1`, [tenant]);
    expect(posts.n).toBe(EVENTS / 2);
    // Each user's display name is that of its last update: applied in order, none skipped or re-applied.
    const users: Array<{ id: number; display_name: string }> = await ds.query(
      `SELECT id::int, display_name FROM users WHERE tenant = $1 ORDER BY id`,
      [tenant],
    );
    expect(users).toHaveLength(USERS / 2); // updates come from odd i, so even user ids
    for (const u of users) {
      let last = -1;
      for (let i = 1; i < EVENTS; i += 2) if ((i % USERS) + 1 === u.id) last = i;
      expect(u.display_name).toBe(`name-${last}`);
    }
  }, 180_000);

  it('catches a new database up from its checkpoints even when the group already committed the end of the log', async () => {
    // The group's Kafka offsets now sit at the log end and no new event arrives:
    // only Postgres knows this database has projected nothing yet.
    const url = await freshDatabase();
    const other = await createDataSource({ url, poolSize: 2 }).initialize();
    await migrate(other);
    await new TenantsRepository(other).create(tenant);
    const projector = startProjector({ ...env, DATABASE_URL: url });
    try {
      await eventually(
        async () =>
          (await other.query(`SELECT count(*)::int AS n FROM events WHERE tenant = $1`, [tenant]))[0].n ===
          EVENTS,
        90_000,
        200,
      );
    } finally {
      projector.kill('SIGTERM');
      await new Promise((r) => projector.once('exit', r));
      await other.destroy();
    }
  }, 120_000);
});
