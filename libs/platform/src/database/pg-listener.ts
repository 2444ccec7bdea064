/**
 * The one LISTEN/NOTIFY client: listens on Postgres channels on a connection of its own
 * and reconnects with backoff when it drops. Used by the gateway's access listener (key
 * cache, read cache) and the delivery workers (wake-ups, endpoint changes).
 *
 * Notifications sent while the connection was down are gone, so whatever an owner cached
 * from them is trustworthy only while it is up: `onUp` runs each time listening starts
 * (after `onConnect`, once every channel is listened to), `onDown` each time it stops.
 * Notifications of a connection already replaced are dropped. Queries on the connection
 * run one after the other (a pg client runs one at a time); one that fails through
 * `queryOrReconnect` counts as the connection lost, which is how an owner's heartbeat
 * notices a half-open connection.
 */
import { Client, QueryResult, QueryResultRow } from 'pg';
import type { Logger } from 'pino';

export interface PgListenerOptions {
  databaseUrl: string;
  applicationName: string;
  /** Channel → what to do with a payload; listened to in this order. */
  channels: Readonly<Record<string, (payload: string) => void>>;
  /** On each new connection, after LISTEN and before it counts as up; throwing counts as lost. */
  onConnect?(): Promise<void>;
  onUp?(): void;
  onDown?(): void;
  /** A query (a heartbeat included) hanging this long fails, and the connection with it. */
  queryTimeoutMs?: number;
  maxBackoffMs?: number;
  logger: Logger;
  /** The warning logged when the connection is lost or cannot be made. */
  lostMessage: string;
}

export class PgListener {
  private client: Client | undefined;
  private retry: NodeJS.Timeout | undefined;
  private backoffMs = 250;
  private stopped = false;
  private up = false;
  private queued: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: PgListenerOptions) {}

  isUp(): boolean {
    return this.up;
  }

  /** Resolves once the first attempt is over, connected or not (retries go on in the background). */
  async start(): Promise<void> {
    await this.connect();
  }

  /** Stops listening; `farewell` runs on the connection just before it is closed. */
  async stop(farewell?: { text: string; values?: unknown[] }): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    this.markDown();
    if (!client) return;
    if (farewell) await this.send(client, farewell.text, farewell.values).catch(() => undefined);
    await client.end().catch(() => undefined);
  }

  /** A query on the listening connection (also from `onConnect`); rejects when there is none. */
  query<R extends QueryResultRow = QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<QueryResult<R>> {
    const client = this.client;
    if (!client) return Promise.reject(new Error('the listener is not connected'));
    return this.send<R>(client, text, values);
  }

  /** A query whose failure means the connection is gone: it is replaced. Never rejects. */
  async queryOrReconnect(text: string, values?: unknown[]): Promise<boolean> {
    const client = this.client;
    if (!client) return false;
    try {
      await this.send(client, text, values);
      return true;
    } catch (err) {
      this.lost(client, err);
      return false;
    }
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new Client({
      connectionString: this.opts.databaseUrl,
      application_name: this.opts.applicationName,
      keepAlive: true,
      connectionTimeoutMillis: 5000,
      ...(this.opts.queryTimeoutMs ? { query_timeout: this.opts.queryTimeoutMs } : {}),
    });
    client.on('notification', (msg) => {
      if (client === this.client) this.opts.channels[msg.channel]?.(msg.payload ?? '');
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    this.client = client;
    try {
      await client.connect();
      // A new connection does not wait behind what was queued on a lost one.
      this.queued = Promise.resolve();
      // Channel names are identifiers chosen by the code, never input.
      for (const channel of Object.keys(this.opts.channels)) await this.send(client, `LISTEN ${channel}`);
      await this.opts.onConnect?.();
    } catch (err) {
      this.lost(client, err);
      return;
    }
    if (this.stopped || client !== this.client) return;
    this.backoffMs = 250;
    this.up = true;
    this.opts.onUp?.();
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

  private lost(client: Client, err: unknown): void {
    if (client !== this.client) return;
    this.client = undefined;
    this.markDown();
    void client.end().catch(() => undefined);
    if (this.stopped) return;
    this.opts.logger.warn({ err, retryInMs: this.backoffMs }, this.opts.lostMessage);
    this.retry = setTimeout(() => void this.connect(), this.backoffMs);
    this.retry.unref();
    this.backoffMs = Math.min(this.backoffMs * 2, this.opts.maxBackoffMs ?? 10_000);
  }

  private markDown(): void {
    if (!this.up) return;
    this.up = false;
    this.opts.onDown?.();
  }
}
