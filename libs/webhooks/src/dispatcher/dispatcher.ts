/**
 * The dispatcher: a consumer group on the public topic (`DISPATCHER_BINDING`, handled in
 * apps/dispatcher). For each batch it finds the
 * active endpoints of the batch's tenants, matches every event against them, stores the
 * messages and one delivery per match (unique on event + endpoint), and only then lets
 * the offsets be committed; the new deliveries go straight to this process's delivery
 * workers, as far as their lanes have room. A re-read event creates nothing new, so it
 * is never delivered twice because of Herald.
 */
import { newUlid, Topics } from '@herald/contracts';
import { Decoded, decodePublicRecord, PublicRecord, queryPrepared } from '@herald/platform';
import type { BatchContext, ConsumerBinding } from '@herald/platform';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { EndpointFilters } from '../endpoints/endpoint';
import type { DeliveryJob } from '../delivery/delivery-job';
import { DEFAULT_ATTEMPT_TIMEOUT_MS, DeliverySettingsCache } from '../delivery/delivery-settings';
import { DeliveryStore, LEASE_MARGIN_MS, NewDelivery, NewMessage } from '../delivery/delivery-store';
import type { DeliveryWorkers } from '../delivery/delivery-workers';
import { recipients, Subscriber } from './subscription';

export const DISPATCHER_GROUP = 'herald.dispatcher';

/** How long one round of a call waits for a fast endpoint's lane to make room. */
const ROOM_WAIT_MS = 250;
/** A lane that must free this many slots (or all that are wanted) within ROOM_WAIT_MS to be waited for. */
const FAST_LANE_SHARE = 64;
/** How long a lane found slow by a wait is not waited for. */
const SLOW_FOR_MS = 5_000;

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
    private readonly workers: DeliveryWorkers,
    private readonly logger: Logger,
  ) {}

  /**
   * Creates the deliveries of one call. Each endpoint's lane takes what it has room for,
   * leased to this process; what a slow, hanging or new endpoint has no room for waits in
   * the table for the poller. An endpoint that answers fast frees room quickly, so its
   * overflow is held back instead and written, leased, in the next round, once the lane
   * has drained: a burst then costs one write per delivery rather than a write, a claim and
   * a read back of its payload. The offsets are committed only after the last round.
   */
  async dispatch(messages: Array<Decoded<DispatchRecord>>, ctx: BatchContext): Promise<void> {
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
    const written = new Set<NewMessage>();
    let rest = wanted;
    while (rest.length > 0) {
      const { leased, unleased, later } = this.plan(rest);
      const fresh: NewMessage[] = [];
      for (const w of [...leased, ...unleased]) {
        if (written.has(w.message)) continue;
        written.add(w.message);
        fresh.push(w.message);
      }
      await this.write(fresh, leased, unleased);
      rest = later;
      if (rest.length > 0) {
        await ctx.heartbeat().catch(() => undefined);
        await this.roomFor(rest);
      }
    }
  }

  /**
   * This round's deliveries: leased where the lane has room, unleased where it has none
   * and will not soon; the rest wait for the next round.
   */
  private plan(rest: Wanted[]): { leased: Wanted[]; unleased: Wanted[]; later: Wanted[] } {
    const room = new Map<string, number>();
    const waits = new Map<string, boolean>();
    const leased: Wanted[] = [];
    const unleased: Wanted[] = [];
    const later: Wanted[] = [];
    for (const w of rest) {
      const id = w.delivery.endpointId;
      const left = room.get(id) ?? this.workers.room(id);
      room.set(id, Math.max(left - 1, 0));
      if (left > 0) {
        leased.push(w);
        continue;
      }
      let wait = waits.get(id);
      if (wait === undefined) waits.set(id, (wait = this.workers.drainsSoon(id)));
      (wait ? later : unleased).push(w);
    }
    return { leased, unleased, later };
  }

  private async write(messages: NewMessage[], leased: Wanted[], unleased: Wanted[]): Promise<void> {
    if (leased.length === 0 && unleased.length === 0) return;
    const created = await this.store.createDeliveries(this.workers.owner, messages, [
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
    this.workers.accept(jobs);
    const waiting = unleased.filter((w) => created.has(w.delivery.id));
    if (waiting.length > 0) this.workers.backlogInTable(new Set(waiting.map((w) => w.delivery.endpointId)));
  }

  /**
   * Waits (at most ROOM_WAIT_MS) until a lane waited for has room for a good share of what
   * it is wanted for. A lane that frees less than that over the whole wait is not fast
   * after all: for a while its overflow goes to the table without waiting.
   */
  private async roomFor(rest: Wanted[]): Promise<void> {
    const wantedBy = countBy(rest);
    const share = (n: number): number => Math.min(n, FAST_LANE_SHARE);
    const before = new Map([...wantedBy.keys()].map((id) => [id, this.workers.ended(id)]));
    const enough = (): boolean => [...wantedBy].some(([id, n]) => this.workers.room(id) >= share(n));
    const deadline = performance.now() + ROOM_WAIT_MS;
    while (!enough()) {
      const left = deadline - performance.now();
      if (left <= 0) {
        for (const [id, n] of wantedBy) {
          if (this.workers.ended(id) - before.get(id)! < share(n)) this.workers.markSlow(id, SLOW_FOR_MS);
        }
        return;
      }
      await this.workers.slotFreed(left);
    }
  }
}

interface Wanted {
  message: NewMessage;
  delivery: Omit<NewDelivery, 'leaseMs'>;
  /** The lease the delivery gets if this process takes it on at once. */
  leaseMs: number;
}

function countBy(list: Wanted[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const w of list) out.set(w.delivery.endpointId, (out.get(w.delivery.endpointId) ?? 0) + 1);
  return out;
}
