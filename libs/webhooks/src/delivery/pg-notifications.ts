/**
 * LISTENs on a few Postgres channels on a connection of its own and reconnects with
 * backoff when it drops. Notifications sent while it was down are lost, so the caller
 * is told (`onReconnect`) to drop whatever it cached from them.
 */
import { Client } from 'pg';
import type { Logger } from 'pino';

export interface PgNotificationsOptions {
  databaseUrl: string;
  channels: string[];
  onNotification(channel: string, payload: string): void;
  onReconnect(): void;
  logger: Logger;
}

export class PgNotifications {
  private client: Client | undefined;
  private retry: NodeJS.Timeout | undefined;
  private backoffMs = 250;
  private stopped = false;

  constructor(private readonly opts: PgNotificationsOptions) {}

  async start(): Promise<void> {
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new Client({
      connectionString: this.opts.databaseUrl,
      application_name: 'herald-webhook-listener',
      keepAlive: true,
      connectionTimeoutMillis: 5000,
    });
    client.on('notification', (msg) => {
      if (client === this.client) this.opts.onNotification(msg.channel, msg.payload ?? '');
    });
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    this.client = client;
    try {
      await client.connect();
      for (const channel of this.opts.channels) await client.query(`LISTEN ${channel}`);
      this.backoffMs = 250;
      this.opts.onReconnect();
    } catch (err) {
      this.opts.logger.warn({ err }, 'webhook listener could not connect; retrying');
      this.lost(client);
    }
  }

  private lost(client: Client): void {
    if (client !== this.client || this.stopped) return;
    this.client = undefined;
    client.end().catch(() => undefined);
    this.retry = setTimeout(() => void this.connect(), this.backoffMs);
    this.retry.unref();
    this.backoffMs = Math.min(this.backoffMs * 2, 10_000);
  }
}
