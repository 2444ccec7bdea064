/**
 * The dispatcher: a consumer group on the public topic (`DISPATCHER_BINDING`, handled in
 * apps/dispatcher). For each batch it finds the
 * active endpoints of the batch's tenants, matches every event against them, stores the
 * messages and one delivery per match (unique on event + endpoint), and only then lets
 * the offsets be committed; the new deliveries are handed to this process's delivery
 * admission, which decides what its lanes take at once and what waits in the table. A
 * re-read event creates nothing new, so it is never delivered twice because of Herald.
 *
 * It never waits for an endpoint: the topic's partitions are shared by every tenant, so an
 * event queued behind one endpoint's backlog would wait for it to drain. A backlog is
 * recorded as fast as Postgres takes it and waits in the table instead, where its lane
 * claims it as it drains, while the events read after it go out at once.
 */
import { newUlid, Topics } from '@herald/contracts';
import { Decoded, decodePublicRecord, PublicRecord, queryPrepared } from '@herald/platform';
import type { ConsumerBinding } from '@herald/platform';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { EndpointFilters } from '../endpoints/endpoint';
import type { DeliveryAdmission } from '../delivery/delivery-admission';
import type { DeliveryJob } from '../delivery/delivery-job';
import { DEFAULT_ATTEMPT_TIMEOUT_MS, DeliverySettingsCache } from '../delivery/delivery-settings';
import { DeliveryStore, LEASE_MARGIN_MS, NewDelivery, NewMessage } from '../delivery/delivery-store';
import { recipients, Subscriber } from './subscription';

export const DISPATCHER_GROUP = 'herald.dispatcher';

export interface DispatchRecord extends PublicRecord {
  payload: string;
  body: Record<string, unknown>;
}

/** What the dispatcher's consumer group reads, and how (see apps/dispatcher). */
export const DISPATCHER_BINDING: ConsumerBinding<DispatchRecord> = {
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
  minCycleMs: 5,
};

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
  readonly stats: DispatcherStats = { events: 0, deliveries: 0 };

  constructor(
    private readonly ds: DataSource,
    private readonly store: DeliveryStore,
    private readonly settings: DeliverySettingsCache,
    private readonly admission: DeliveryAdmission,
    private readonly logger: Logger,
  ) {}

  /**
   * Creates the deliveries of one call in one write, as the admission plans: what a lane
   * has room for is written leased to this process and handed over at once; the rest is
   * written due and unleased, for the lane to claim as it drains (or any worker with room).
   * The offsets are committed once the write is.
   */
  async dispatch(messages: Array<Decoded<DispatchRecord>>): Promise<void> {
    const records = messages.map((m) => m.value);
    if (records.length === 0) return;
    this.stats.events += records.length;
    const tenants = [...new Set(records.map((r) => r.tenant))];
    const rows = await queryPrepared<SubscriberRow>(
      this.ds,
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
    const wanted: Wanted[] = [];
    for (const r of records) {
      const subscribers = byTenant.get(r.tenant);
      if (!subscribers) continue;
      const matched = recipients(
        { type: r.event.type, createdAt: r.event.created_at, body: r.body },
        subscribers,
      );
      if (matched.length === 0) continue;
      const message: NewMessage = {
        tenant: r.tenant,
        eventId: r.event.id,
        eventType: r.event.type,
        payload: r.payload,
      };
      const tenantSettings = settings.get(r.tenant);
      const maxAttempts = Math.max(tenantSettings?.retrySchedule.length ?? 1, 1);
      const leaseMs = (tenantSettings?.attemptTimeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS) + LEASE_MARGIN_MS;
      for (const s of matched) {
        wanted.push({
          message,
          leaseMs,
          delivery: {
            id: `dlv_${newUlid()}`,
            tenant: r.tenant,
            endpointId: s.id,
            eventId: r.event.id,
            eventType: r.event.type,
            maxAttempts,
          },
        });
      }
    }
    const { leased, unleased } = this.admission.plan(wanted, (w) => w.delivery.endpointId);
    await this.write([...new Set(wanted.map((w) => w.message))], leased, unleased);
  }

  private async write(messages: NewMessage[], leased: Wanted[], unleased: Wanted[]): Promise<void> {
    if (leased.length === 0 && unleased.length === 0) return;
    const created = await this.store.createDeliveries(this.admission.owner, messages, [
      ...leased.map((w) => ({ ...w.delivery, leaseMs: w.leaseMs })),
      ...unleased.map((w) => ({ ...w.delivery, leaseMs: null })),
    ]);
    this.stats.deliveries += created.size;
    const jobs: DeliveryJob[] = [];
    for (const { delivery: d, message } of leased) {
      const leaseUntil = created.get(d.id);
      if (leaseUntil === undefined || leaseUntil === null) continue; // already there: a re-read event
      jobs.push({ ...d, attemptCount: 0, payload: message.payload, leaseUntil });
    }
    this.admission.admit(jobs);
    const waiting = unleased.filter((w) => created.has(w.delivery.id));
    if (waiting.length > 0) this.admission.leftInTable(new Set(waiting.map((w) => w.delivery.endpointId)));
  }
}

interface Wanted {
  message: NewMessage;
  delivery: Omit<NewDelivery, 'leaseMs'>;
  /** The lease the delivery gets if this process takes it on at once. */
  leaseMs: number;
}
