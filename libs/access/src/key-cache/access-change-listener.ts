/**
 * Listens on the `herald_access` channel on a connection of its own, applies each
 * change to the key cache, and acknowledges it in `access_listeners` (see
 * access-propagation.ts). The key cache is trusted only while this connection is up and
 * proven alive by a heartbeat; after any loss it reconnects with backoff, and the cache
 * starts from empty again, since notifications sent meanwhile are gone.
 *
 * Other channels whose caches follow the same rule (the read cache's) are listened to
 * on the same connection: `channels` handlers, under the same trust.
 *
 * `sync()` is a barrier: it resolves once every notification of a transaction that
 * committed before the call has been handled. It notifies a channel only this listener
 * listens to and waits for that notification to come back: Postgres delivers
 * notifications in commit order, so everything committed earlier has arrived by then.
 * Calls made while a round is out share the next round.
 */
import { randomBytes } from 'node:crypto';
import * as os from 'node:os';
import { Client, QueryResult, QueryResultRow } from 'pg';
import type { Logger } from 'pino';
import { LISTENER_FRESH_MS } from './access-propagation';

export const ACCESS_CHANNEL = 'herald_access';

/** How long a sync round may take before its callers are told it could not be known. */
export const SYNC_TIMEOUT_MS = 1000;

export interface AccessChangeListenerOptions {
  databaseUrl: string;
  /** A change, as `<tenant>:<key id>` or `<tenant>:*`. */
  onChange: (target: string) => void;
  onTrust: (trusted: boolean) => void;
  /** More channels to listen to on this connection, with what to do with a payload. */
  channels?: Readonly<Record<string, (payload: string) => void>>;
  logger: Logger;
  heartbeatMs?: number;
  maxBackoffMs?: number;
}

export class AccessChangeListener {
  readonly id = `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private client: Client | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private backoffMs = 250;
  private stopped = false;
  private up = false;
  private appliedSeq = 0n;
  private ackScheduled = false;
  private readonly syncChannel = `herald_sync_${randomBytes(6).toString('hex')}`;
  private syncSeq = 0;
  private syncWaiting: Array<(synced: boolean) => void> = [];
  /** Queries on the connection, one after the other (a pg client runs one at a time). */
  private queued: Promise<unknown> = Promise.resolve();
  private syncRound:
    { seq: number; waiters: Array<(synced: boolean) => void>; timer: NodeJS.Timeout } | undefined;

  constructor(private readonly opts: AccessChangeListenerOptions) {}

  isUp(): boolean {
    return this.up;
  }

  /** Resolves once the first attempt is over, connected or not (retries go on in the background). */
  async start(): Promise<void> {
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    this.markDown();
    if (!client) return;
    await this.send(client, `DELETE FROM access_listeners WHERE id = $1`, [this.id]).catch(() => undefined);
    await client.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new Client({
      connectionString: this.opts.databaseUrl,
      application_name: 'herald-access-listener',
      keepAlive: true,
      connectionTimeoutMillis: 5000,
      // A heartbeat that hangs this long means the connection is gone.
      query_timeout: this.heartbeatMs(),
    });
    client.on('notification', (msg) => {
      if (client !== this.client) return;
      if (msg.channel === ACCESS_CHANNEL) this.apply(client, msg.payload ?? '');
      else if (msg.channel === this.syncChannel) this.endSyncRound(Number(msg.payload), true);
      else this.opts.channels?.[msg.channel]?.(msg.payload ?? '');
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    this.client = client;
    try {
      await client.connect();
      // A new connection does not wait behind what was queued on a lost one.
      this.queued = Promise.resolve();
      await this.send(client, `LISTEN ${ACCESS_CHANNEL}`);
      for (const channel of Object.keys(this.opts.channels ?? {}))
        await this.send(client, `LISTEN ${channel}`);
      await this.send(client, `LISTEN ${this.syncChannel}`);
      // Listening from here on; everything announced before is covered by the cache reset below.
      const [row] = (
        await this.send<{ seq: string }>(
          client,
          `INSERT INTO access_listeners (id, heartbeat_at, acked_seq)
           SELECT $1, now(), CASE WHEN is_called THEN last_value ELSE 0 END FROM herald_access_seq
           ON CONFLICT (id) DO UPDATE SET heartbeat_at = now(), acked_seq = EXCLUDED.acked_seq
           RETURNING acked_seq::text AS seq`,
          [this.id],
        )
      ).rows;
      this.appliedSeq = BigInt(row?.seq ?? '0');
      await this.send(client, `DELETE FROM access_listeners WHERE heartbeat_at < now() - interval '1 hour'`);
    } catch (err) {
      this.lost(client, err);
      return;
    }
    if (this.stopped || client !== this.client) return;
    this.backoffMs = 250;
    this.up = true;
    this.opts.onTrust(true);
    this.heartbeat = setInterval(() => void this.record(client), this.heartbeatMs());
    this.heartbeat.unref();
  }

  /**
   * True once every notification committed before this call has been handled; false when
   * that cannot be known (the connection is down, or the round took over SYNC_TIMEOUT_MS).
   */
  sync(): Promise<boolean> {
    if (!this.up || !this.client) return Promise.resolve(false);
    return new Promise((resolve) => {
      this.syncWaiting.push(resolve);
      if (!this.syncRound) this.startSyncRound();
    });
  }

  private startSyncRound(): void {
    const client = this.client;
    const waiters = this.syncWaiting;
    this.syncWaiting = [];
    if (waiters.length === 0) return;
    if (!client || !this.up) {
      for (const w of waiters) w(false);
      return;
    }
    const seq = ++this.syncSeq;
    const timer = setTimeout(() => this.endSyncRound(seq, false), SYNC_TIMEOUT_MS);
    timer.unref();
    this.syncRound = { seq, waiters, timer };
    this.send(client, `SELECT pg_notify($1, $2)`, [this.syncChannel, String(seq)]).catch(() =>
      this.endSyncRound(seq, false),
    );
  }

  private endSyncRound(seq: number, synced: boolean): void {
    const round = this.syncRound;
    if (!round || round.seq !== seq) return;
    clearTimeout(round.timer);
    this.syncRound = undefined;
    for (const w of round.waiters) w(synced);
    if (this.syncWaiting.length > 0) this.startSyncRound();
  }

  private send<R extends QueryResultRow = QueryResultRow>(
    client: Client,
    text: string,
    values?: unknown[],
  ): Promise<QueryResult<R>> {
    const result = this.queued.then(() => client.query<R>(text, values));
    this.queued = result.catch(() => undefined);
    return result;
  }

  private heartbeatMs(): number {
    return this.opts.heartbeatMs ?? LISTENER_FRESH_MS / 5;
  }

  /** `<seq>:<tenant>:<target>`: applied to the cache at once, acknowledged right after. */
  private apply(client: Client, payload: string): void {
    const sep = payload.indexOf(':');
    const seq = /^\d+$/.test(payload.slice(0, sep)) ? BigInt(payload.slice(0, sep)) : undefined;
    this.opts.onChange(seq === undefined ? payload : payload.slice(sep + 1));
    if (seq !== undefined && seq > this.appliedSeq) this.appliedSeq = seq;
    if (this.ackScheduled) return;
    this.ackScheduled = true;
    // One write for a burst of notifications.
    setImmediate(() => {
      this.ackScheduled = false;
      void this.record(client);
    });
  }

  /** Heartbeat and acknowledgement in one write; a silent half-open connection fails it. */
  private async record(client: Client): Promise<void> {
    try {
      await this.send(
        client,
        `INSERT INTO access_listeners (id, heartbeat_at, acked_seq) VALUES ($1, now(), $2)
         ON CONFLICT (id) DO UPDATE
           SET heartbeat_at = now(), acked_seq = GREATEST(access_listeners.acked_seq, EXCLUDED.acked_seq)`,
        [this.id, this.appliedSeq.toString()],
      );
    } catch (err) {
      this.lost(client, err);
    }
  }

  private lost(client: Client, err: unknown): void {
    if (client !== this.client) return;
    this.client = undefined;
    this.markDown();
    void client.end().catch(() => undefined);
    if (this.stopped) return;
    this.opts.logger.warn(
      { err, retryInMs: this.backoffMs },
      'API key change listener lost its connection; keys are looked up on every request until it is back',
    );
    this.retry = setTimeout(() => void this.connect(), this.backoffMs);
    this.retry.unref();
    this.backoffMs = Math.min(this.backoffMs * 2, this.opts.maxBackoffMs ?? 5000);
  }

  private markDown(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    if (this.syncRound) this.endSyncRound(this.syncRound.seq, false);
    for (const w of this.syncWaiting.splice(0)) w(false);
    if (this.up) {
      this.up = false;
      this.opts.onTrust(false);
    }
  }
}
