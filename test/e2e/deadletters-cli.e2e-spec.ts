/**
 * `herald deadletters list|redrive` as an operator runs them: the real binary, against a
 * running system (commands, translator and projector in this process), on the run's real
 * broker and database. The poison is real: an internal event of a tenant that does not
 * exist yet, which the translator dead-letters; creating the tenant fixes the cause.
 */
import { publicEventId, Topics } from '@herald/contracts';
import type { DeadLetterView, RedriveOutcome } from '@herald/events';
import {
  HeraldProducer,
  offsetRangesByTime,
  readOffsetRanges,
  TenantDirectory,
  TenantsRepository,
} from '@herald/platform';
import type { Kafka } from 'kafkajs';
import { CommandsModule } from '../../apps/commands/src/commands.module';
import { ProjectorModule } from '../../apps/projector/src/projector.module';
import { TranslatorModule } from '../../apps/translator/src/translator.module';
import { postCreatedEvent } from '../fixtures/internal-events';
import { startTestApp, TestApp } from '../support/app';
import { cleanEnv, runHeraldAsync } from '../support/herald-process';
import { eventually, testDatabaseUrl, testKafka, testKafkaBrokers, uniqueName } from '../support/infra';

describe('herald deadletters (CLI, against a running system)', () => {
  let app: TestApp;
  let kafka: Kafka;
  const tenant = uniqueName('dlq');
  const key = `${tenant}:post-1`;
  const env = (): NodeJS.ProcessEnv =>
    cleanEnv({ DATABASE_URL: testDatabaseUrl(), KAFKA_BROKERS: testKafkaBrokers().join(',') });

  async function herald(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
    return runHeraldAsync(['deadletters', ...args], env());
  }

  async function listJson(args: string[] = []): Promise<DeadLetterView[]> {
    const res = await herald(['list', '--json', ...args]);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    return (JSON.parse(res.stdout) as DeadLetterView[]).filter((v) => v.key === key);
  }

  async function redrive(args: string[]): Promise<RedriveOutcome[]> {
    const res = await herald(['redrive', ...args, '--json']);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    return (JSON.parse(res.stdout) as { redriven: RedriveOutcome[] }).redriven;
  }

  /** Records of `topic` appended since `since` whose value contains `needle`. */
  async function countIn(topic: string, since: Date, needle: string): Promise<number> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const ranges = await offsetRangesByTime(admin, topic, since.getTime() - 1000, undefined);
      let n = 0;
      await readOffsetRanges(kafka, topic, ranges, {
        groupPrefix: 'herald-test.deadletters',
        onMessages: async (_, messages) => {
          n += messages.filter((m) => m.value?.toString('utf8').includes(needle)).length;
        },
      });
      return n;
    } finally {
      await admin.disconnect();
    }
  }

  beforeAll(async () => {
    app = await startTestApp([CommandsModule, TranslatorModule, ProjectorModule]);
    kafka = testKafka();
  });

  afterAll(async () => {
    await app.close();
  });

  it('lists a dead letter, redrives it once its cause is fixed, and never appends it twice', async () => {
    const started = new Date();
    const event = postCreatedEvent(tenant, 1, 'redriven');
    const value = JSON.stringify(event);
    const producer = new HeraldProducer(kafka);
    await producer.connect();
    await producer.send(Topics.internal.forum, [{ key, value, headers: { 'herald-tenant': tenant } }]);
    await producer.disconnect();

    // The tenant does not exist: the translator dead-letters the event.
    const [first] = await eventually(
      async () => {
        const ours = await listJson();
        return ours.length > 0 && ours;
      },
      60_000,
      250,
    );
    expect(first).toMatchObject({
      partition: 0,
      reason: `unknown tenant "${tenant}"`,
      source_topic: Topics.internal.forum,
      consumer_group: 'herald.translator',
      key,
      headers: { 'herald-tenant': tenant },
      value_bytes: Buffer.byteLength(value),
      value_preview: `${value.slice(0, 60)}…`,
      redriven_at: null,
    });

    // The table: one line per record, no progress bar off a terminal.
    const text = await herald(['list', '--since', started.toISOString()]);
    expect(text.stderr).toBe('');
    expect(text.status).toBe(0);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^OFFSET\s+TIME\s+REASON\s+SOURCE\s+KEY\s+REDRIVEN\s+VALUE$/);
    const line = lines.find((l) => l.includes(key));
    expect(line).toContain(`${first!.offset}  `);
    expect(line).toContain(`unknown tenant "${tenant}"`);
    expect(line).toContain(`${Topics.internal.forum}/${first!.source_partition}@${first!.source_offset}`);
    expect(line).toContain(value.slice(0, 60));

    // --since after it: not listed.
    expect(await listJson(['--since', new Date(Date.now() + 3_600_000).toISOString()])).toEqual([]);

    // Redriven before the cause is fixed: appended anyway, reported, and dead-lettered again.
    const [early] = await redrive([first!.offset]);
    expect(early).toMatchObject({
      offset: first!.offset,
      status: 'redriven',
      still_failing: `unknown tenant "${tenant}"`,
      source_topic: Topics.internal.forum,
      source_offset: first!.source_offset,
    });
    const second = await eventually(
      async () => (await listJson()).find((v) => v.offset !== first!.offset),
      60_000,
      250,
    );
    expect(BigInt(second.offset)).toBeGreaterThan(BigInt(first!.offset));
    expect(BigInt(second.source_offset!)).toBeGreaterThan(BigInt(first!.source_offset!));
    expect(second).toMatchObject({ reason: `unknown tenant "${tenant}"`, redriven_at: null });
    expect((await listJson()).find((v) => v.offset === first!.offset)?.redriven_at).toBe(early!.redriven_at);

    // The cause fixed: the tenant exists, and the translator's tenant cache has seen it.
    await new TenantsRepository(app.ds).create(tenant);
    const directory = app.app.get(TenantDirectory);
    await eventually(() => directory.exists(tenant), 10_000);

    const all = await redrive(['--all', '--since', second.time]);
    expect(all.find((o) => o.offset === second.offset)).toMatchObject({
      status: 'redriven',
      still_failing: null,
    });
    const publicId = publicEventId(tenant, event.id);
    await eventually(
      async () => (await app.ds.query(`SELECT 1 FROM events WHERE id = $1`, [publicId])).length === 1,
      60_000,
    );

    // Redriving either record again (by offset or with --all) appends nothing.
    const [again] = await redrive([second.offset]);
    expect(again).toMatchObject({ status: 'already_redriven', still_failing: null });
    expect(again!.redriven_at).toBe(all.find((o) => o.offset === second.offset)!.redriven_at);
    expect((await redrive([first!.offset]))[0]).toMatchObject({
      status: 'already_redriven',
      redriven_at: early!.redriven_at,
    });
    expect(
      (await redrive(['--all', '--since', second.time])).find((o) => o.offset === second.offset),
    ).toMatchObject({ status: 'already_redriven' });

    // The internal topic holds the original and the two redrives, the public topic one event.
    expect(await countIn(Topics.internal.forum, started, event.id)).toBe(3);
    expect(await countIn(Topics.publicEvents, started, publicId)).toBe(1);
    expect(await app.ds.query(`SELECT id FROM events WHERE tenant = $1`, [tenant])).toEqual([
      { id: publicId },
    ]);
    const listed = (await listJson()).map((v) => [v.offset, v.redriven_at !== null]);
    expect(listed).toEqual([
      [first!.offset, true],
      [second.offset, true],
    ]);
  }, 300_000);

  it('refuses bad arguments with one line and a non-zero exit', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['redrive', 'abc'], /offset must be a non-negative integer \(got "abc"\)/],
      [['redrive', '-1'], /unknown option|non-negative integer/],
      [['redrive'], /give exactly one of <offset> or --all/],
      [['redrive', '3', '--all'], /give exactly one of <offset> or --all/],
      [['redrive', '3', '--since', '2026-05-28T12:00:00Z'], /--since goes with --all/],
      [
        ['redrive', '99999999999'],
        /no dead letter at offset 99999999999: herald\.internal\.deadletter\.v1 holds/,
      ],
      [['list', '--since', 'yesterday'], /--since must be an ISO 8601 time/],
      [['redrive', '--all', '--since', '2026-13-45T00:00:00Z'], /--since must be an ISO 8601 time/],
    ];
    for (const [args, message] of cases) {
      const res = await herald(args);
      expect({ args, status: res.status === 0 ? 0 : 'non-zero' }).toEqual({ args, status: 'non-zero' });
      expect(res.stderr.trim().split('\n')).toHaveLength(1);
      expect(res.stderr).toMatch(message);
    }
  }, 120_000);

  it('documents both commands in --help', async () => {
    const res = await herald(['--help']);
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/list \[options\]/);
    expect(res.stdout).toMatch(/redrive \[options\] \[offset\]/);
  });
});
