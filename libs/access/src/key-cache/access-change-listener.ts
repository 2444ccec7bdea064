/**
 * Listens on the `herald_access` channel on a connection of its own, applies each
 * change to the key cache, and acknowledges it in `access_listeners` (see
 * access-propagation.ts). The key cache is trusted only while this connection is up and
 * proven alive by a heartbeat; after any loss it reconnects with backoff, and the cache
 * starts from empty again, since notifications sent meanwhile are gone.
 *
 * Other channels whose caches follow the same rule (the read cache's) are listened to
 * on the same connection: `channels` handlers, under the same trust.
 */
import { randomBytes } from 'node:crypto';
import * as os from 'node:os';
import { Client } from 'pg';
import type { Logger } from 'pino';
import { LISTENER_FRESH_MS } from './access-propagation';

export const ACCESS_CHANNEL = 'herald_access';

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
    await client.query(`DELETE FROM access_listeners WHERE id = $1`, [this.id]).catch(() => undefined);
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
      else this.opts.channels?.[msg.channel]?.(msg.payload ?? '');
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    this.client = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${ACCESS_CHANNEL}`);
      for (const channel of Object.keys(this.opts.channels ?? {})) await client.query(`LISTEN ${channel}`);
      // Listening from here on; everything announced before is covered by the cache reset below.
      const [row] = (
        await client.query<{ seq: string }>(
          `INSERT INTO access_listeners (id, heartbeat_at, acked_seq)
           SELECT $1, now(), CASE WHEN is_called THEN last_value ELSE 0 END FROM herald_access_seq
           ON CONFLICT (id) DO UPDATE SET heartbeat_at = now(), acked_seq = EXCLUDED.acked_seq
           RETURNING acked_seq::text AS seq`,
          [this.id],
        )
      ).rows;
      this.appliedSeq = BigInt(row?.seq ?? '0');
      await client.query(`DELETE FROM access_listeners WHERE heartbeat_at < now() - interval '1 hour'`);
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
      await client.query(
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
    if (this.up) {
      this.up = false;
      this.opts.onTrust(false);
    }
  }
}
