/**
 * Pages never skip or repeat while events keep arriving. Over real HTTP, pollers follow
 * `next_cursor` (asc, with and without filters) and a walker goes newest-first while
 * writers append concurrently: first through the events projection itself, holding its
 * lock across deliberately slow commits; then through the real projector consuming the
 * public topic on the real broker.
 */
import { Topics } from '@herald/contracts';
import { PublicHeaders, PublicRecord } from '@herald/platform';
import { HeraldProducer, TenantsRepository } from '@herald/platform';
import { GatewayModule } from '../../apps/gateway/src/gateway.module';
import { ProjectorModule } from '../../apps/projector/src/projector.module';
import { apiRequest, mintTestKey, TestKey } from '../support/api-keys';
import { startTestApp, TestApp } from '../support/app';
import { eventually, testKafka, uniqueName } from '../support/infra';
import { at, projectEvents, varied } from './queries-seed';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rand = (n: number) => Math.floor(Math.random() * n);

interface Poll {
  ids: string[];
  requests: number;
}

/**
 * Follows a list oldest-first like an integrator's poller: next_cursor after every page,
 * a short pause when caught up, until `done()` holds and one more poll brings nothing.
 */
async function poll(t: TestApp, key: TestKey, query: string, done: () => boolean): Promise<Poll> {
  const ids: string[] = [];
  let cursor: string | undefined;
  let requests = 0;
  let finalRound = false;
  for (;;) {
    const wasDone = done();
    const res = await apiRequest(t.baseUrl, `/api/v1/events?${query}${cursor ? `&cursor=${cursor}` : ''}`, {
      tenant: key.tenant,
      key: key.key,
    });
    requests++;
    expect(res.status).toBe(200);
    ids.push(...res.body.data.map((e: { id: string }) => e.id));
    expect(typeof res.body.meta.next_cursor).toBe('string');
    cursor = res.body.meta.next_cursor;
    if (res.body.meta.has_more) continue;
    if (finalRound) return { ids, requests };
    // Caught up after the writers finished: one more poll must bring nothing new.
    if (wasDone) finalRound = true;
    else await sleep(3);
  }
}

/** Walks newest-first to the end; returns the ids met. */
async function walkDesc(t: TestApp, key: TestKey, query: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (;;) {
    const res = await apiRequest(
      t.baseUrl,
      `/api/v1/events?order=desc&${query}${cursor ? `&cursor=${cursor}` : ''}`,
      { tenant: key.tenant, key: key.key },
    );
    expect(res.status).toBe(200);
    ids.push(...res.body.data.map((e: { id: string }) => e.id));
    if (!res.body.meta.has_more) return ids;
    cursor = res.body.meta.next_cursor;
    await sleep(rand(4));
  }
}

async function appended(
  t: TestApp,
  tenant: string,
  where = 'true',
  params: unknown[] = [],
): Promise<string[]> {
  const rows: Array<{ id: string }> = await t.ds.query(
    `SELECT id FROM events WHERE tenant = $1 AND ${where} ORDER BY log_time, log_partition, log_offset`,
    [tenant, ...params],
  );
  return rows.map((r) => r.id);
}

const noRepeats = (ids: string[]): void => expect(new Set(ids).size).toBe(ids.length);

describe('pagination under concurrent appends (events projection, slow commits)', () => {
  let t: TestApp;
  const p = uniqueName('qcc-p');
  const q = uniqueName('qcc-q');
  let key: TestKey;

  beforeAll(async () => {
    t = await startTestApp([GatewayModule]);
    const tenants = new TenantsRepository(t.ds);
    await tenants.create(p);
    await tenants.create(q);
    key = await mintTestKey(t.ds, p, ['events:read']);
    await projectEvents(
      t.ds,
      Array.from({ length: 20 }, (_, n) => varied(p, n, at(rand(2000) * 1000))),
    );
  });
  afterAll(async () => {
    await t.close();
  });

  it('asc pollers (all, by type, by time) and a desc walker neither skip nor repeat', async () => {
    let writersDone = false;
    let n = 1000;
    const writer = async (): Promise<void> => {
      for (let i = 0; i < 15; i++) {
        const batch: PublicRecord[] = Array.from({ length: 1 + rand(4) }, () =>
          varied(rand(4) === 0 ? q : p, n++, at(rand(2000) * 1000)),
        );
        // Holding the lock between taking positions and committing is the late-commit case.
        await projectEvents(t.ds, batch, rand(25));
        await sleep(rand(10));
      }
    };
    const writers = Promise.all([writer(), writer(), writer()]).then(() => {
      writersDone = true;
    });

    const since = at(700_000);
    const [all, posts, window] = await Promise.all([
      poll(t, key, 'limit=3', () => writersDone),
      poll(t, key, 'type=post.*&limit=2', () => writersDone),
      poll(t, key, `since=${since}&limit=4`, () => writersDone),
    ]);
    const beforeDesc = await appended(t, p);
    const desc = await walkDesc(t, key, 'limit=3');
    await writers;

    expect(all.ids).toEqual(await appended(t, p));
    expect(all.ids.length).toBeGreaterThan(40);
    expect(posts.ids).toEqual(await appended(t, p, `type LIKE 'post.%'`));
    expect(window.ids).toEqual(await appended(t, p, `created_at >= $2`, [since]));
    // Several polls found the list caught up and came back later with the same cursor.
    expect(all.requests).toBeGreaterThan(all.ids.length / 3);

    noRepeats(desc);
    const order = await appended(t, p);
    const positions = desc.map((id) => order.indexOf(id));
    expect(positions).toEqual([...positions].sort((x, y) => y - x));
    for (const id of beforeDesc) expect(desc).toContain(id);
  });

  it('a desc walk during appends meets every event that existed when it began, once', async () => {
    let stop = false;
    let n = 5000;
    const writer = (async () => {
      while (!stop) {
        await projectEvents(t.ds, [varied(p, n++, at(n)), varied(p, n++, at(n))], rand(15));
      }
    })();
    await sleep(20);
    const existing = await appended(t, p);
    const desc = await walkDesc(t, key, 'limit=5');
    stop = true;
    await writer;
    noRepeats(desc);
    for (const id of existing) expect(desc).toContain(id);
  });
});

describe('pagination under concurrent appends (real projector on the public topic)', () => {
  let t: TestApp;
  let producer: HeraldProducer;
  const p = uniqueName('qcc-live');
  let key: TestKey;
  const TOTAL = 240;

  beforeAll(async () => {
    t = await startTestApp([GatewayModule, ProjectorModule]);
    await new TenantsRepository(t.ds).create(p);
    key = await mintTestKey(t.ds, p, ['events:read']);
    producer = new HeraldProducer(testKafka('queries-concurrency'));
    await producer.connect();
  });
  afterAll(async () => {
    await producer.disconnect();
    await t.close();
  });

  it('a poller following next_cursor gets every projected event once; read again, the feed is in log order', async () => {
    let published = 0;
    const publisher = (async () => {
      for (let round = 0; round < 24; round++) {
        // Ten subjects per round spread the events over the topic's partitions.
        const records = Array.from({ length: TOTAL / 24 }, (_, i) =>
          varied(p, round * 10 + i, at(published + i)),
        );
        await producer.send(
          Topics.publicEvents,
          records.map((r) => ({
            key: `${r.tenant}:${r.subjectId}`,
            value: JSON.stringify(r.event),
            headers: { [PublicHeaders.tenant]: r.tenant },
          })),
        );
        published += records.length;
        await sleep(rand(40));
      }
    })();
    let projected = false;
    const watcher = eventually(async () => (await appended(t, p)).length === TOTAL, 60_000).then(() => {
      projected = true;
    });
    const polled = await poll(t, key, 'limit=7', () => projected);
    await Promise.all([publisher, watcher]);

    // Partitions are projected at different moments, so a live poller may meet an event of
    // a lagging partition after later ones of another: each once, none skipped.
    expect(polled.ids).toHaveLength(TOTAL);
    expect(new Set(polled.ids).size).toBe(TOTAL);
    expect([...polled.ids].sort()).toEqual([...(await appended(t, p))].sort());
    const again = await poll(t, key, 'limit=50', () => true);
    expect(again.ids).toEqual(await appended(t, p));
  });
});
