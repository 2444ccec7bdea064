/**
 * Two projector processes in one group, as a scaled-out deployment runs them, while one
 * projection is rebuilt: the running projectors do the rebuild (each catches up the
 * partitions it finds behind), the other read models keep projecting what arrives, and
 * the rebuilt one ends identical to what it was.
 */
import { Topics } from '@herald/contracts';
import { laggingProjections, PROJECTION_NAMES, ProjectionReplayer } from '@herald/events';
import { createDataSource, freePort, HeraldProducer, migrate, TenantsRepository } from '@herald/platform';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { PublicMessage, postCreated, userUpdated } from '../fixtures/public-events';
import { buildIfStale } from '../support/dispatcher-process';
import { cleanEnv, REPO_ROOT } from '../support/herald-process';
import { eventually, freshDatabase, testKafka, testKafkaBrokers, uniqueName } from '../support/infra';

const POSTS = 3000;
const USERS = 40;

function publicEvent(tenant: string, n: number, kind: 'post' | 'user'): PublicMessage {
  const user = (n % USERS) + 1;
  return kind === 'post'
    ? postCreated(tenant, `evt_P${String(n).padStart(25, '0')}`, n, user, `t${n}`)
    : userUpdated(tenant, `evt_U${String(n).padStart(25, '0')}`, user, `name-${n}`);
}

describe('two projector processes while a projection is rebuilt', () => {
  let ds: DataSource;
  let env: NodeJS.ProcessEnv;
  const projectors: ChildProcess[] = [];
  const tenant = uniqueName('scale');
  const kafka = testKafka();
  const producer = new HeraldProducer(kafka);

  const count = async (table: string): Promise<number> =>
    (await ds.query(`SELECT count(*)::int AS n FROM ${table} WHERE tenant = $1`, [tenant]))[0].n as number;

  beforeAll(async () => {
    buildIfStale();
    const url = await freshDatabase();
    ds = await createDataSource({ url, poolSize: 4 }).initialize();
    await migrate(ds);
    await new TenantsRepository(ds).create(tenant);
    env = cleanEnv({
      DATABASE_URL: url,
      KAFKA_BROKERS: testKafkaBrokers().join(','),
      HERALD_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'herald-scale-')),
      NODE_ENV: 'test',
    });
    await producer.connect();
    const messages = [];
    for (let n = 1; n <= POSTS; n++)
      messages.push(publicEvent(tenant, n, 'post'), publicEvent(tenant, n, 'user'));
    await producer.send(Topics.publicEvents, messages);
    for (let i = 0; i < 2; i++) {
      projectors.push(
        spawn(process.execPath, [path.join(REPO_ROOT, 'dist/apps/projector/src/main.js')], {
          env: { ...env, PORT: String(await freePort()) },
          stdio: 'ignore',
        }),
      );
    }
  }, 120_000);

  afterAll(async () => {
    for (const p of projectors) {
      if (p.exitCode === null) {
        p.kill('SIGTERM');
        await new Promise((r) => p.once('exit', r));
      }
    }
    await producer.disconnect();
    await ds.destroy();
  });

  it('catches users up with both processes while events and posts keep projecting', async () => {
    await eventually(async () => (await count('events')) === 2 * POSTS, 90_000, 200);
    await eventually(async () => (await laggingProjections(ds, PROJECTION_NAMES)).size === 0, 30_000);
    const usersBefore: unknown[] = await ds.query(`SELECT * FROM users WHERE tenant = $1 ORDER BY id`, [
      tenant,
    ]);
    expect(usersBefore).toHaveLength(USERS);

    const admin = kafka.admin();
    await admin.connect();
    try {
      const replay = new ProjectionReplayer(ds, admin, kafka).replay('users', { offset: 0n });
      // Appended while users is being rebuilt: the other read models take them meanwhile.
      await producer.send(
        Topics.publicEvents,
        Array.from({ length: 100 }, (_, i) => publicEvent(tenant, POSTS + 1 + i, 'post')),
      );
      await eventually(async () => (await count('posts')) === POSTS + 100, 60_000, 200);
      const result = await replay;
      expect(result.rebuilt_from_scratch).toBe(true);
      expect(result.ran_in_process).toBe(false); // the running projectors did the work
    } finally {
      await admin.disconnect();
    }

    expect(await ds.query(`SELECT * FROM users WHERE tenant = $1 ORDER BY id`, [tenant])).toEqual(
      usersBefore,
    );
    await eventually(async () => (await laggingProjections(ds, PROJECTION_NAMES)).size === 0, 30_000);
    expect(await count('events')).toBe(2 * POSTS + 100);
    for (const p of projectors) expect(p.exitCode).toBeNull();
  }, 240_000);
});
