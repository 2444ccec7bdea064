/**
 * `herald replay projections` as an operator runs it: the real binary, against a running
 * system (translator and projector consuming in this process), on the run's real broker
 * and database.
 */
import { TenantsRepository } from '@herald/platform';
import { CommandsModule } from '../../apps/commands/src/commands.module';
import { ProjectorModule } from '../../apps/projector/src/projector.module';
import { TranslatorModule } from '../../apps/translator/src/translator.module';
import { postCreatedEvent } from '../fixtures/internal-events';
import { postJson, startTestApp, TestApp } from '../support/app';
import { cleanEnv, runHeraldAsync } from '../support/herald-process';
import { eventually, testDatabaseUrl, testKafkaBrokers, uniqueName } from '../support/infra';

async function postIds(app: TestApp, tenant: string): Promise<number[]> {
  const rows: Array<{ id: string }> = await app.ds.query(
    `SELECT id FROM posts WHERE tenant = $1 ORDER BY id`,
    [tenant],
  );
  return rows.map((r) => Number(r.id));
}

describe('herald replay projections (CLI, against a running system)', () => {
  let app: TestApp;
  const tenant = uniqueName('replay');
  const env = (): NodeJS.ProcessEnv =>
    cleanEnv({ DATABASE_URL: testDatabaseUrl(), KAFKA_BROKERS: testKafkaBrokers().join(',') });

  beforeAll(async () => {
    app = await startTestApp([CommandsModule, TranslatorModule, ProjectorModule]);
    await new TenantsRepository(app.ds).create(tenant);
  });

  afterAll(async () => {
    await app.close();
  });

  it('--from-time re-applies what was published from that time on, and nothing before it', async () => {
    const early = [1, 2, 3].map((id) => postCreatedEvent(tenant, id, `early ${id}`));
    expect((await postJson(`${app.baseUrl}/internal/v1/events`, early)).status).toBe(202);
    await eventually(async () => (await postIds(app, tenant)).length === 3, 30_000);

    // Kafka timestamps are taken when the translator publishes, so leave a clear gap.
    await new Promise((r) => setTimeout(r, 1500));
    const cut = new Date(Date.now() - 500);
    const late = [4, 5, 6].map((id) => postCreatedEvent(tenant, id, `late ${id}`));
    expect((await postJson(`${app.baseUrl}/internal/v1/events`, late)).status).toBe(202);
    await eventually(async () => (await postIds(app, tenant)).length === 6, 30_000);

    // Lose one early and one late row behind the projection's back.
    await app.ds.query(`DELETE FROM posts WHERE tenant = $1 AND id IN (2, 5)`, [tenant]);

    const res = await runHeraldAsync(
      ['replay', 'projections', '--projection', 'posts', '--from-time', cut.toISOString(), '--json'],
      env(),
    );
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    const out = JSON.parse(res.stdout) as {
      replayed: Array<{ projection: string; rebuilt_from_scratch: boolean; ran_in_process: boolean }>;
    };
    expect(out.replayed).toHaveLength(1);
    expect(out.replayed[0]).toMatchObject({
      projection: 'posts',
      rebuilt_from_scratch: false,
      ran_in_process: false, // the running projector did the work
    });

    // The late row is back; the early one stays lost, because the replay began at the cut.
    await eventually(async () => (await postIds(app, tenant)).includes(5), 30_000);
    expect(await postIds(app, tenant)).toEqual([1, 3, 4, 5, 6]);
  }, 120_000);

  it('--from-offset 0 rebuilds from scratch, and the projection keeps consuming afterwards', async () => {
    const res = await runHeraldAsync(
      ['replay', 'projections', '--projection', 'posts', '--from-offset', '0', '--json'],
      env(),
    );
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(JSON.parse(res.stdout).replayed[0]).toMatchObject({
      projection: 'posts',
      rebuilt_from_scratch: true,
    });
    expect(await postIds(app, tenant)).toEqual([1, 2, 3, 4, 5, 6]);

    expect(
      (await postJson(`${app.baseUrl}/internal/v1/events`, [postCreatedEvent(tenant, 7, 'after')])).status,
    ).toBe(202);
    await eventually(async () => (await postIds(app, tenant)).includes(7), 30_000);
  }, 300_000);

  it('refuses bad arguments with one line and a non-zero exit', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--projection', 'posts'], /give exactly one of --from-offset N or --from-time ISO/],
      [['--projection', 'posts', '--from-offset', '-1'], /--from-offset must be a non-negative integer/],
      [['--projection', 'posts', '--from-time', 'yesterday'], /--from-time must be an ISO 8601 time/],
      [['--projection', 'comments', '--from-offset', '0'], /comments/],
    ];
    for (const [args, message] of cases) {
      const res = await runHeraldAsync(['replay', 'projections', ...args], env());
      expect(res.status).not.toBe(0);
      expect(res.stderr.trim().split('\n')).toHaveLength(1);
      expect(res.stderr).toMatch(message);
    }
  });
});
