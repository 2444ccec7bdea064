/**
 * The dispatcher: a consumer group on the public topic (`DISPATCHER_BINDING`, handled in
 * apps/dispatcher). For each batch it matches every event against the active endpoints of
 * its tenant (kept in memory, SubscriberCache: the statement that writes the deliveries
 * checks they are still current, and a tenant whose endpoints changed is matched again),
 * stores the messages and one delivery per match (unique on event + endpoint), and only
 * then lets the offsets be committed; the new deliveries are handed to this process's delivery
 * admission, which decides what its lanes take at once and what waits in the table. A
 * re-read event creates nothing new, so it is never delivered twice because of Herald.
 *
 * It never waits for an endpoint: the topic's partitions are shared by every tenant, so an
 * event queued behind one endpoint's backlog would wait for it to drain. A backlog waits
 * in the table instead, where its lane claims it as it drains, while the events read
 * after it go out at once. Nor does it wait for a large write: the deliveries of an
 * endpoint that has few in a batch are written before the call ends and go out at once,
 * and those of an endpoint with many (a burst, leased to its lane or left in the table)
 * are written behind the call, one such write at a time and in order, while the next
 * batches are read; so are all the deliveries of records passed over (a backlog read
 * again from the log, between the live calls). The call's offsets are committed once that
 * write is durable too (HandleResult.durable), so a crash before then reads the batch again. Meanwhile the
 * next deliveries of an endpoint with a write in flight are written behind it, in
 * order. So a burst for one endpoint costs another tenant's next event a small write,
 * not the burst's.
 */
import { newUlid, Topics } from '@herald/contracts';
import { BUSY_CYCLE, Decoded, decodePublicRecord, PublicRecord, publicRecordTenant } from '@herald/platform';
import type { BatchContext, ConsumerBinding, HandleResult } from '@herald/platform';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { AdmissionPlan, DeliveryAdmission } from '../delivery/delivery-admission';
import type { DeliveryJob } from '../delivery/delivery-job';
import {
  DEFAULT_ATTEMPT_TIMEOUT_MS,
  DeliverySettings,
  DeliverySettingsCache,
} from '../delivery/delivery-settings';
import { DeliveryStore, LEASE_MARGIN_MS, NewDelivery, NewMessage } from '../delivery/delivery-store';
import { SubscriberCache, TenantSubscribers } from './subscriber-cache';
import { recipients } from './subscription';

export const DISPATCHER_GROUP = 'herald.dispatcher';

export interface DispatchRecord extends PublicRecord {
  payload: string;
  body: Record<string, unknown>;
}

/**
 * A partition more than `maxLag` records behind its end is read past; the records passed
 * over are handled `chunk` per call. Either bounds how long the next event waits behind a
 * backlog: a few milliseconds of matching.
 */
export const SKIP_AHEAD = { maxLag: 100, chunk: 100 } as const;

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
  busyCycle: BUSY_CYCLE,
  // The next fetch is read while a call is handled: a backlog of one tenant is read through
  // sooner, and with it the events of other tenants behind it in the same partitions. Safe
  // because a call is idempotent (a re-read event creates no delivery).
  prefetch: true,
  // A partition found far behind its end is read past rather than through: events appended
  // from then on go out at once, and the backlog passed over is read again and handled
  // between the calls, a chunk at a time (no faster than paced backlogs drain while other
  // tenants' deliveries are on time). Safe for the same reason, and because deliveries
  // keep no order beyond that anyway (a lane has several attempts in flight). Other
  // tenants' events passed over with a burst are handed over ahead of it, as they come.
  skipAhead: { ...SKIP_AHEAD, groupOf: publicRecordTenant },
};

export interface DispatcherStats {
  events: number;
  deliveries: number;
  /** Tenants whose events were matched again because their endpoints changed since they were cached. */
  rematched: number;
}

/** An endpoint with more deliveries than this in a batch has them written behind the call. */
const WRITE_BEHIND_OVER = 100;
/** Deliveries waiting to be written behind beyond which a call waits for the writes. */
const MAX_UNWRITTEN = 50_000;
/** Deliveries one write behind carries at most (one call's may be more). */
const MAX_WRITE_BEHIND = 10_000;
/** Backoff bounds for retrying a write behind. */
const RETRY_INITIAL_MS = 100;
const RETRY_MAX_MS = 5_000;

export class Dispatcher {
  readonly stats: DispatcherStats = { events: 0, deliveries: 0, rematched: 0 };
  /** Calls whose deliveries wait to be written behind them, in order. */
  private readonly behind: Behind[] = [];
  private draining = false;
  private stopped = false;

  private readonly subscribers: SubscriberCache;

  constructor(
    ds: DataSource,
    private readonly store: DeliveryStore,
    private readonly settings: DeliverySettingsCache,
    private readonly admission: DeliveryAdmission,
    private readonly logger: Logger,
  ) {
    this.subscribers = new SubscriberCache(ds);
  }

  /**
   * Creates the deliveries of one call as the admission plans: what a lane has room for is
   * written leased to this process and handed over; the rest is written due and unleased,
   * for the lane to claim as it drains (or any worker with room). Endpoints with few
   * deliveries in the call are written before it ends; the rest is written behind it, and
   * the offsets are committed once that is durable. A call of records passed over tells
   * their reader what to wait for before the next (DeliveryAdmission.holdBacklog): room in
   * the lanes it fed, or while backlogs are paced, the pacer.
   */
  async dispatch(
    messages: Array<Decoded<DispatchRecord>>,
    ctx?: Pick<BatchContext, 'passedOver'>,
  ): Promise<HandleResult | void> {
    const records = messages.map((m) => m.value);
    if (records.length === 0) return;
    this.stats.events += records.length;
    const { perEndpoint, durable } = await this.route(records, !ctx?.passedOver);
    // Asked once this call's leased deliveries are in their lanes (or being written behind).
    const held = this.holdBacklog(ctx, perEndpoint);
    if (!durable && !held) return undefined;
    return { ...(durable ? { durable } : {}), ...held };
  }

  /**
   * Matches records against their tenants' endpoints (cached, or read now) and writes the
   * deliveries as the admission plans. The write of those going out now also checks that
   * the cached endpoints are still current; the records of a tenant whose endpoints changed
   * are matched again against a fresh read, and none of their first deliveries is written.
   * Write-behind deliveries are queued only after that check, or, when nothing goes out
   * now, carry the check themselves.
   */
  private async route(
    records: DispatchRecord[],
    live: boolean,
  ): Promise<{ perEndpoint: Map<string, number>; durable?: Promise<void> }> {
    const { tenants, wanted } = await this.match(records, live);
    const plan = this.admission.plan(wanted, (w) => w.delivery.endpointId);
    const inCall = new Map<string, number>();
    for (const w of wanted) inCall.set(w.delivery.endpointId, (inCall.get(w.delivery.endpointId) ?? 0) + 1);
    // A burst's endpoints, those with a write behind in flight (to stay in order), and all
    // of a call of records passed over: a backlog, whose write the next live call (another
    // tenant's events, maybe) must not queue behind.
    const behind = (w: Wanted): boolean =>
      !live ||
      (inCall.get(w.delivery.endpointId) ?? 0) > WRITE_BEHIND_OVER ||
      this.admission.isWritingBehind(w.delivery.endpointId);
    // Split before the write: a write behind that ends meanwhile must not move a delivery
    // from one side to the other.
    const now = plan.leased.filter((w) => !behind(w));
    const laterLeased = plan.leased.filter(behind);
    const matchedWith = new Map<string, number>();
    for (const [id, t] of tenants) if (!t.fresh) matchedWith.set(id, t.version);
    if (now.length === 0 && laterLeased.length + plan.unleased.length > 0) {
      // Nothing goes out now (a burst read as it lands): the check of the cached endpoints
      // rides on the write behind, instead of a round trip of its own that the next call
      // would wait for. Records of a tenant found stale there are matched again then.
      const durable = this.writeBehind(
        { leased: laterLeased, unleased: plan.unleased },
        {
          matchedWith,
          records: records.filter((r) => matchedWith.has(r.tenant)),
          live,
        },
      );
      if (this.unwritten > MAX_UNWRITTEN) await durable;
      return { perEndpoint: inCall, durable };
    }
    const stale = await this.write({ leased: now, unleased: [] }, matchedWith);
    const current = (w: Wanted): boolean => !stale.has(w.delivery.tenant);
    const later: Split = { leased: laterLeased.filter(current), unleased: plan.unleased.filter(current) };
    let durable = size(later) > 0 ? this.writeBehind(later) : undefined;
    if (durable && this.unwritten > MAX_UNWRITTEN) await durable;
    for (const w of wanted) if (!current(w)) inCall.delete(w.delivery.endpointId);
    if (stale.size > 0) {
      this.stats.rematched += stale.size;
      this.subscribers.forget(stale);
      // Read afresh this time, so nothing is checked and this goes no deeper.
      const again = await this.route(
        records.filter((r) => stale.has(r.tenant)),
        live,
      );
      for (const [endpoint, n] of again.perEndpoint) inCall.set(endpoint, (inCall.get(endpoint) ?? 0) + n);
      if (again.durable)
        durable = durable ? Promise.all([durable, again.durable]).then(() => undefined) : again.durable;
    }
    return { perEndpoint: inCall, ...(durable ? { durable } : {}) };
  }

  /** Matches records against their tenants' endpoints: the deliveries wanted. */
  private async match(
    records: DispatchRecord[],
    live: boolean,
  ): Promise<{ tenants: Map<string, TenantSubscribers>; wanted: Wanted[] }> {
    const tenants = await this.subscribers.forTenants(records.map((r) => r.tenant));
    const withEndpoints = [...tenants].filter(([, t]) => t.subscribers.length > 0).map(([id]) => id);
    const settings =
      withEndpoints.length > 0
        ? await this.settings.forTenants(withEndpoints)
        : new Map<string, DeliverySettings>();
    const wanted: Wanted[] = [];
    for (const r of records) {
      const subscribers = tenants.get(r.tenant)?.subscribers;
      if (!subscribers || subscribers.length === 0) continue;
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
          live,
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
    return { tenants, wanted };
  }

  /** For a call of records passed over, what their reader waits for before the next. */
  private holdBacklog(
    ctx: Pick<BatchContext, 'passedOver'> | undefined,
    fed: ReadonlyMap<string, number>,
  ): Pick<HandleResult, 'holdBacklog'> | undefined {
    const holdBacklog = ctx?.passedOver ? this.admission.holdBacklog(fed) : undefined;
    return holdBacklog ? { holdBacklog } : undefined;
  }

  /** No more writes behind: one pending or failing now is left undone (its batch is read again). */
  stop(): void {
    this.stopped = true;
  }

  /**
   * Writes a call's deliveries after every earlier write behind, retried until it is or
   * this dispatcher stops; until then, their endpoints' next deliveries are written behind
   * too, after them. Resolves once they are durable (never, if it stops first).
   */
  private writeBehind(split: Split, check?: Check): Promise<void> {
    const endpoints = new Map<string, number>();
    for (const w of split.unleased) endpoints.set(w.delivery.endpointId, 0);
    for (const w of split.leased)
      endpoints.set(w.delivery.endpointId, (endpoints.get(w.delivery.endpointId) ?? 0) + 1);
    this.admission.writingBehind(endpoints);
    const tenants = new Set([...split.leased, ...split.unleased].map((w) => w.delivery.tenant));
    return new Promise<void>((resolve) => {
      this.behind.push({ split, endpoints, tenants, resolve, ...(check ? { check } : {}) });
      if (!this.draining) {
        this.draining = true;
        void this.drainBehind();
      }
    });
  }

  /**
   * Writes what is queued behind, in order: the calls queued while a write runs go out
   * together in the next (up to MAX_WRITE_BEHIND deliveries), so a busy dispatcher writes
   * few large statements rather than one per call. The write checks the cached endpoints
   * the calls that carry a check were matched with (never two versions of one tenant in
   * one write); the records of a tenant found stale are matched again against a fresh read
   * and written before their calls count as durable.
   */
  private async drainBehind(): Promise<void> {
    while (this.behind.length > 0 && !this.stopped) {
      let n = 0;
      let k = 0;
      const matchedWith = new Map<string, number>();
      const unchecked = new Set<string>();
      while (k < this.behind.length) {
        const next = this.behind[k]!;
        if (k > 0 && n + size(next.split) > MAX_WRITE_BEHIND) break;
        if (k > 0 && !mergesWith(next, matchedWith, unchecked)) break;
        if (next.check) for (const [t, v] of next.check.matchedWith) matchedWith.set(t, v);
        else for (const t of next.tenants) unchecked.add(t);
        n += size(next.split);
        k++;
      }
      const calls = this.behind.slice(0, k);
      const merged: Split = {
        leased: calls.flatMap((c) => c.split.leased),
        unleased: calls.flatMap((c) => c.split.unleased),
      };
      let delay = RETRY_INITIAL_MS;
      for (;;) {
        // Stopping: what is left is not written, and its calls are never committed.
        if (this.stopped) break;
        try {
          const stale = await this.write(merged, matchedWith);
          if (stale.size > 0) await this.rematch(calls, stale);
          for (const c of calls) this.admission.writtenBehind(c.endpoints);
          this.behind.splice(0, k);
          for (const c of calls) c.resolve();
          break;
        } catch (err) {
          this.logger.error({ err, deliveries: n, retryInMs: delay }, 'writing deliveries failed; retrying');
          await new Promise((resolve) => setTimeout(resolve, delay));
          delay = Math.min(delay * 2, RETRY_MAX_MS);
        }
      }
    }
    this.draining = false;
  }

  /**
   * The records of tenants whose cached endpoints a write behind found stale (and so wrote
   * none of their deliveries), matched again against a fresh read and written at once, in
   * the order of their calls. A failure is retried with the write behind they belong to,
   * which then writes nothing new for what is already there.
   */
  private async rematch(calls: Behind[], stale: ReadonlySet<string>): Promise<void> {
    this.stats.rematched += stale.size;
    this.subscribers.forget(stale);
    for (const { check } of calls) {
      const records = check?.records.filter((r) => stale.has(r.tenant)) ?? [];
      if (!check || records.length === 0) continue;
      // Read afresh, so nothing is checked.
      const { wanted } = await this.match(records, check.live);
      if (wanted.length > 0) await this.write(this.admission.plan(wanted, (w) => w.delivery.endpointId));
    }
  }

  /** Deliveries still to be written behind calls. */
  private get unwritten(): number {
    return this.behind.reduce((n, c) => n + size(c.split), 0);
  }

  /**
   * One write: the leased deliveries go to their lanes once it is done, and the lanes of
   * those left unleased claim them as they drain. With `matchedWith`, it also checks those
   * tenants' endpoint versions, and writes nothing for a tenant whose version moved: those
   * tenants are returned.
   */
  private async write(
    split: Split,
    matchedWith: ReadonlyMap<string, number> = new Map(),
  ): Promise<Set<string>> {
    const all = [...split.leased, ...split.unleased];
    const { created, stale } = await this.store.createMatched(
      this.admission.owner,
      messagesOf(all),
      [
        ...split.leased.map((w) => ({ ...w.delivery, leaseMs: w.leaseMs })),
        ...split.unleased.map((w) => ({ ...w.delivery, leaseMs: null })),
      ],
      matchedWith,
    );
    this.stats.deliveries += created.size;
    // Before they are admitted: a lane behind starts what came to it live unpaced.
    const arrived = all.filter((w) => w.live && created.has(w.delivery.id));
    if (arrived.length > 0) this.admission.arrived(arrived.map((w) => w.delivery.endpointId));
    const jobs: DeliveryJob[] = [];
    for (const { delivery: d, message } of split.leased) {
      const leaseUntil = created.get(d.id);
      if (leaseUntil === undefined || leaseUntil === null) continue; // already there (a re-read event), or stale
      jobs.push({ ...d, attemptCount: 0, payload: message.payload, leaseUntil });
    }
    this.admission.admit(jobs);
    const waiting = split.unleased.filter((w) => created.has(w.delivery.id));
    if (waiting.length > 0) this.admission.leftInTable(new Set(waiting.map((w) => w.delivery.endpointId)));
    return stale;
  }
}

type Split = AdmissionPlan<Wanted>;

/** A call's deliveries waiting to be written behind it. */
export interface Behind {
  split: Split;
  endpoints: Map<string, number>;
  /** The tenants it has deliveries for. */
  tenants: ReadonlySet<string>;
  resolve: () => void;
  /** The cached endpoints the call was matched with, when its write behind checks them. */
  check?: Check;
}

/** What a write behind checks, and what it matches again if a tenant's endpoints moved. */
export interface Check {
  /** Tenant → version of the cached endpoints the call's records were matched with. */
  matchedWith: ReadonlyMap<string, number>;
  /** The call's records of those tenants. */
  records: DispatchRecord[];
  live: boolean;
}

const size = (split: Split): number => split.leased.length + split.unleased.length;

/**
 * Whether a call's write behind may join the calls before it in one statement: a tenant
 * found stale loses all its deliveries in that statement, so a tenant checked there must
 * be checked at one version and have no deliveries from a call whose check was made when
 * it was handled (`unchecked` here: its records are not kept to be matched again).
 */
export function mergesWith(
  call: Behind,
  matchedWith: ReadonlyMap<string, number>,
  unchecked: ReadonlySet<string>,
): boolean {
  if (call.check)
    return [...call.check.matchedWith].every(
      ([t, v]) => !unchecked.has(t) && (matchedWith.get(t) ?? v) === v,
    );
  for (const t of call.tenants) if (matchedWith.has(t)) return false;
  return true;
}

/** The messages of these deliveries, each once. */
function messagesOf(items: Wanted[]): NewMessage[] {
  return [...new Set(items.map((w) => w.message))];
}

export interface Wanted {
  message: NewMessage;
  delivery: Omit<NewDelivery, 'leaseMs'>;
  /** The lease the delivery gets if this process takes it on at once. */
  leaseMs: number;
  /** Of a call of records read as they came, not passed over (DeliveryAdmission.arrived). */
  live: boolean;
}
