/**
 * Listens on the `herald_access` channel (through the platform's `PgListener`), applies each
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
import { PgListener } from '@herald/platform';
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
  private readonly listener: PgListener;
  private heartbeat: NodeJS.Timeout | undefined;
  private appliedSeq = 0n;
  private ackScheduled = false;
  private readonly syncChannel = `herald_sync_${randomBytes(6).toString('hex')}`;
  private syncSeq = 0;
  private syncWaiting: Array<(synced: boolean) => void> = [];
  private syncRound:
    { seq: number; waiters: Array<(synced: boolean) => void>; timer: NodeJS.Timeout } | undefined;

  constructor(private readonly opts: AccessChangeListenerOptions) {
    const heartbeatMs = opts.heartbeatMs ?? LISTENER_FRESH_MS / 5;
    this.listener = new PgListener({
      databaseUrl: opts.databaseUrl,
      applicationName: 'herald-access-listener',
      channels: {
        [ACCESS_CHANNEL]: (payload) => this.apply(payload),
        ...opts.channels,
        [this.syncChannel]: (payload) => this.endSyncRound(Number(payload), true),
      },
      onConnect: () => this.register(),
      onUp: () => {
        opts.onTrust(true);
        this.heartbeat = setInterval(() => void this.record(), heartbeatMs);
        this.heartbeat.unref();
      },
      onDown: () => this.markDown(),
      // A heartbeat that hangs this long means the connection is gone.
      queryTimeoutMs: heartbeatMs,
      maxBackoffMs: opts.maxBackoffMs ?? 5000,
      logger: opts.logger,
      lostMessage:
        'API key change listener lost its connection; keys are looked up on every request until it is back',
    });
  }

  isUp(): boolean {
    return this.listener.isUp();
  }

  /** Resolves once the first attempt is over, connected or not (retries go on in the background). */
  async start(): Promise<void> {
    await this.listener.start();
  }

  async stop(): Promise<void> {
    await this.listener.stop({ text: `DELETE FROM access_listeners WHERE id = $1`, values: [this.id] });
  }

  /** Listening from here on; everything announced before is covered by the cache reset that follows. */
  private async register(): Promise<void> {
    const [row] = (
      await this.listener.query<{ seq: string }>(
        `INSERT INTO access_listeners (id, heartbeat_at, acked_seq)
         SELECT $1, now(), CASE WHEN is_called THEN last_value ELSE 0 END FROM herald_access_seq
         ON CONFLICT (id) DO UPDATE SET heartbeat_at = now(), acked_seq = EXCLUDED.acked_seq
         RETURNING acked_seq::text AS seq`,
        [this.id],
      )
    ).rows;
    this.appliedSeq = BigInt(row?.seq ?? '0');
    await this.listener.query(`DELETE FROM access_listeners WHERE heartbeat_at < now() - interval '1 hour'`);
  }

  /**
   * True once every notification committed before this call has been handled; false when
   * that cannot be known (the connection is down, or the round took over SYNC_TIMEOUT_MS).
   */
  sync(): Promise<boolean> {
    if (!this.listener.isUp()) return Promise.resolve(false);
    return new Promise((resolve) => {
      this.syncWaiting.push(resolve);
      if (!this.syncRound) this.startSyncRound();
    });
  }

  private startSyncRound(): void {
    const waiters = this.syncWaiting;
    this.syncWaiting = [];
    if (waiters.length === 0) return;
    if (!this.listener.isUp()) {
      for (const w of waiters) w(false);
      return;
    }
    const seq = ++this.syncSeq;
    const timer = setTimeout(() => this.endSyncRound(seq, false), SYNC_TIMEOUT_MS);
    timer.unref();
    this.syncRound = { seq, waiters, timer };
    this.listener
      .query(`SELECT pg_notify($1, $2)`, [this.syncChannel, String(seq)])
      .catch(() => this.endSyncRound(seq, false));
  }

  private endSyncRound(seq: number, synced: boolean): void {
    const round = this.syncRound;
    if (!round || round.seq !== seq) return;
    clearTimeout(round.timer);
    this.syncRound = undefined;
    for (const w of round.waiters) w(synced);
    if (this.syncWaiting.length > 0) this.startSyncRound();
  }

  /** `<seq>:<tenant>:<target>`: applied to the cache at once, acknowledged right after. */
  private apply(payload: string): void {
    const sep = payload.indexOf(':');
    const seq = /^\d+$/.test(payload.slice(0, sep)) ? BigInt(payload.slice(0, sep)) : undefined;
    this.opts.onChange(seq === undefined ? payload : payload.slice(sep + 1));
    if (seq !== undefined && seq > this.appliedSeq) this.appliedSeq = seq;
    if (this.ackScheduled) return;
    this.ackScheduled = true;
    // One write for a burst of notifications.
    setImmediate(() => {
      this.ackScheduled = false;
      void this.record();
    });
  }

  /** Heartbeat and acknowledgement in one write; a silent half-open connection fails it. */
  private async record(): Promise<void> {
    await this.listener.queryOrReconnect(
      `INSERT INTO access_listeners (id, heartbeat_at, acked_seq) VALUES ($1, now(), $2)
       ON CONFLICT (id) DO UPDATE
         SET heartbeat_at = now(), acked_seq = GREATEST(access_listeners.acked_seq, EXCLUDED.acked_seq)`,
      [this.id, this.appliedSeq.toString()],
    );
  }

  private markDown(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    if (this.syncRound) this.endSyncRound(this.syncRound.seq, false);
    for (const w of this.syncWaiting.splice(0)) w(false);
    this.opts.onTrust(false);
  }
}
