/**
 * `PgListener`, the one LISTEN/NOTIFY client, against real Postgres: notifications reach
 * their channel's handler in commit order; a killed connection is noticed (onDown),
 * replaced with backoff, and listened on again (onUp) before anything counts on it; a
 * hanging heartbeat counts as a lost connection; a failing `onConnect` keeps it down and
 * retrying; stop runs the farewell and ends the session.
 */
import { PgListener } from '@herald/platform';
import type { Client } from 'pg';
import pino from 'pino';
import { eventually, rawClient, testDatabaseUrl, uniqueName } from '../support/infra';

const logger = pino({ level: 'silent' });

describe('PgListener', () => {
  let admin: Client;
  const listeners: PgListener[] = [];

  beforeAll(async () => {
    admin = await rawClient();
  });
  afterAll(async () => {
    for (const l of listeners) await l.stop();
    await admin.end();
  });

  function channel(): string {
    return uniqueName('pgl').replace(/-/g, '_');
  }

  function listener(
    opts: Partial<ConstructorParameters<typeof PgListener>[0]> & {
      channels: Record<string, (p: string) => void>;
    },
  ): {
    l: PgListener;
    events: string[];
    appName: string;
  } {
    const events: string[] = [];
    const appName = uniqueName('herald-test-listener');
    const l = new PgListener({
      databaseUrl: testDatabaseUrl(),
      applicationName: appName,
      onUp: () => events.push('up'),
      onDown: () => events.push('down'),
      maxBackoffMs: 200,
      logger,
      lostMessage: 'lost',
      ...opts,
    });
    listeners.push(l);
    return { l, events, appName };
  }

  async function notify(ch: string, payload: string): Promise<void> {
    await admin.query(`SELECT pg_notify($1, $2)`, [ch, payload]);
  }

  it('hands each channel its notifications, in commit order', async () => {
    const a = channel();
    const b = channel();
    const got: string[] = [];
    const { l, events } = listener({
      channels: { [a]: (p) => got.push(`a:${p}`), [b]: (p) => got.push(`b:${p}`) },
    });
    await l.start();
    expect(l.isUp()).toBe(true);
    expect(events).toEqual(['up']);
    for (let i = 0; i < 5; i++) await notify(i % 2 ? b : a, String(i));
    await notify(channel(), 'not listened to');
    await eventually(async () => got.length === 5);
    expect(got).toEqual(['a:0', 'b:1', 'a:2', 'b:3', 'a:4']);
  });

  it('notices a killed connection, reconnects and listens again', async () => {
    const ch = channel();
    const got: string[] = [];
    const { l, events, appName } = listener({ channels: { [ch]: (p) => got.push(p) } });
    await l.start();
    const [killed] = (
      await admin.query(
        `SELECT count(*)::int AS n FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1) t`,
        [appName],
      )
    ).rows;
    expect(killed.n).toBe(1);
    await eventually(async () => events.length === 3);
    expect(events).toEqual(['up', 'down', 'up']);
    expect(l.isUp()).toBe(true);
    await notify(ch, 'after');
    await eventually(async () => got.includes('after'));
  });

  it('counts a heartbeat that hangs past the query timeout as a lost connection', async () => {
    const { l, events } = listener({ channels: { [channel()]: () => undefined }, queryTimeoutMs: 300 });
    await l.start();
    expect(await l.queryOrReconnect(`SELECT pg_sleep(5)`)).toBe(false);
    expect(events).toEqual(['up', 'down']);
    await eventually(async () => l.isUp());
    expect(await l.queryOrReconnect(`SELECT 1`)).toBe(true);
    expect(events).toEqual(['up', 'down', 'up']);
  });

  it('stays down and retries while onConnect fails, then comes up', async () => {
    let attempts = 0;
    const { l, events } = listener({
      channels: { [channel()]: () => undefined },
      onConnect: async () => {
        attempts++;
        if (attempts < 3) throw new Error('not yet');
      },
    });
    await l.start();
    expect(l.isUp()).toBe(false);
    await eventually(async () => l.isUp());
    expect(attempts).toBe(3);
    expect(events).toEqual(['up']);
  });

  it('runs the farewell on its connection at stop, then ends the session', async () => {
    const ch = channel();
    const got: string[] = [];
    const table = `pgl_${channel()}`;
    await admin.query(`CREATE TABLE ${table} (id text)`);
    try {
      const { l, events, appName } = listener({ channels: { [ch]: (p) => got.push(p) } });
      await l.start();
      await l.stop({ text: `INSERT INTO ${table} VALUES ($1)`, values: ['bye'] });
      expect(events).toEqual(['up', 'down']);
      expect((await admin.query(`SELECT id FROM ${table}`)).rows).toEqual([{ id: 'bye' }]);
      const sessions = await admin.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = $1`, [
        appName,
      ]);
      expect(sessions.rowCount).toBe(0);
      await expect(l.query(`SELECT 1`)).rejects.toThrow(/not connected/);
      expect(await l.queryOrReconnect(`SELECT 1`)).toBe(false);
    } finally {
      await admin.query(`DROP TABLE ${table}`);
    }
  });
});
