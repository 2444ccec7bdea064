/**
 * The dispatcher: a consumer group on the public topic. For each batch it finds the
 * active endpoints of the batch's tenants, matches every event against them, stores the
 * message and one delivery per match (unique on event + endpoint) in one statement, and
 * only then lets the offset be committed; the new deliveries go straight to this
 * process's delivery workers. A re-read event creates nothing new, so it is never
 * delivered twice because of Herald.
 */
import { Topics } from '@herald/contracts';
import { Decoded, decodePublicRecord, KafkaService, PublicRecord } from '@herald/platform';
import type { HeraldConsumer } from '@herald/platform';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { EndpointFilters } from '../endpoints/endpoint';
import type { DeliverySettingsCache } from '../delivery/delivery-settings';
import type { DeliveryStore, NewDelivery, NewMessage } from '../delivery/delivery-store';
import type { DeliveryWorkers } from '../delivery/delivery-workers';
import { recipients, Subscriber } from './subscription';

export const DISPATCHER_GROUP = 'herald.dispatcher';

interface DispatchRecord extends PublicRecord {
  payload: string;
  body: Record<string, unknown>;
}

interface SubscriberRow {
  id: string;
  tenant: string;
  events: string[];
  filters: EndpointFilters;
  created_at: Date;
}

export interface DispatcherStats {
  events: number;
  deliveries: number;
}

export class Dispatcher {
  private consumer: HeraldConsumer<DispatchRecord> | undefined;
  readonly stats: DispatcherStats = { events: 0, deliveries: 0 };

  constructor(
    private readonly kafka: KafkaService,
    private readonly ds: DataSource,
    private readonly store: DeliveryStore,
    private readonly settings: DeliverySettingsCache,
    private readonly workers: DeliveryWorkers,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    this.consumer = await this.kafka.startConsumer<DispatchRecord>({
      groupId: DISPATCHER_GROUP,
      topics: [Topics.publicEvents],
      fromBeginning: true,
      decode: (message) => {
        const record = decodePublicRecord(message);
        return {
          ...record,
          payload: record.raw ?? '',
          body: record.event as unknown as Record<string, unknown>,
        };
      },
      handle: (messages) => this.dispatch(messages),
      minCycleMs: 5,
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.stop();
  }

  private async dispatch(messages: Array<Decoded<DispatchRecord>>): Promise<void> {
    const records = messages.map((m) => m.value);
    if (records.length === 0) return;
    this.stats.events += records.length;
    const tenants = [...new Set(records.map((r) => r.tenant))];
    const rows = await this.ds.query<SubscriberRow[]>(
      `SELECT id, tenant, events, filters, created_at FROM webhook_endpoints
        WHERE active AND tenant = ANY($1::text[])`,
      [tenants],
    );
    if (rows.length === 0) return;
    const byTenant = new Map<string, Subscriber[]>();
    for (const r of rows) {
      const list = byTenant.get(r.tenant) ?? [];
      list.push({ id: r.id, events: r.events, filters: r.filters, createdAt: r.created_at });
      byTenant.set(r.tenant, list);
    }
    const settings = await this.settings.forTenants(byTenant.keys());
    const newMessages: NewMessage[] = [];
    const deliveries: NewDelivery[] = [];
    // What this process can take on now is leased to it; the rest waits in the table.
    const room = new Map<string, number>();
    for (const r of records) {
      const subscribers = byTenant.get(r.tenant);
      if (!subscribers) continue;
      const matched = recipients(
        { type: r.event.type, createdAt: r.event.created_at, body: r.body },
        subscribers,
      );
      if (matched.length === 0) continue;
      newMessages.push({
        tenant: r.tenant,
        eventId: r.event.id,
        eventType: r.event.type,
        payload: r.payload,
      });
      const maxAttempts = Math.max(settings.get(r.tenant)?.retrySchedule.length ?? 1, 1);
      for (const s of matched) {
        const left = room.get(s.id) ?? this.workers.room(s.id);
        room.set(s.id, left - 1);
        deliveries.push({
          tenant: r.tenant,
          endpointId: s.id,
          eventId: r.event.id,
          eventType: r.event.type,
          maxAttempts,
          leased: left > 0,
        });
      }
    }
    const { leased, created } = await this.store.createDeliveries(
      this.workers.owner,
      newMessages,
      deliveries,
    );
    this.stats.deliveries += created;
    this.workers.accept(leased);
    if (leased.length < created) this.workers.backlogInTable();
  }
}
