/**
 * Admission of deliveries into this process: the one place that decides how many
 * deliveries each endpoint's lane may hold, which new deliveries the dispatcher hands
 * straight to a lane and which it leaves due in the table, and which endpoints have
 * deliveries waiting in the table, to be claimed as their lanes drain. The dispatcher
 * never waits for a lane: whatever a lane has no room for waits in the table, so one
 * endpoint's backlog never holds up the reading of the public topic, and with it every
 * other tenant's events. The poller asks it what to claim; lanes only report what became
 * of a job. While other endpoints' deliveries are on time, lanes with a backlog are paced
 * (BacklogPacer), so a drain does not keep the whole process busy. It also tells the reader
 * of a backlog passed over in the log when to hand over more (holdBacklog).
 */
import { BacklogPacer, PacerClock } from './backlog-pacer';
import type { DeliveryJob, DeliveryOutcome } from './delivery-job';
import type { DeliveryLeases } from './delivery-leases';
import type { EndpointLane } from './endpoint-lane';

/** A lane may hold (queued and in flight) what it finishes in this long, at its recent pace. */
const LANE_HOLD_MS = 1_000;
/**
 * A lane is behind while it has more queued than it starts in this long (ms) at its own
 * pace. An endpoint that keeps up starts a dispatch's burst well within it; a lane that is
 * behind is paced while other lanes are on time, and pacing would keep a steady stream it
 * took for a backlog behind for good.
 */
const BEHIND_MS = 100;
/**
 * A lane that a call of records passed over in the log fed within this long (ms) is draining
 * a backlog: behind as soon as its queue is as long as its concurrency. The reader of those
 * records hands them over as the lane makes room, so its queue stays short.
 */
const DRAINING_MS = 1_000;
/** The window (ms) over which what comes to an endpoint live is counted (`arrived`). */
const INFLOW_MS = 1_000;
/** Deliveries a claim takes at most. */
const CLAIM_BATCH = 500;
/**
 * A call of records passed over waits at most this long (ms) for the lanes it fed to have
 * room again, and only for lanes that finish at least its deliveries in that time.
 */
const ROOM_HOLD_MS = 100;
/**
 * Deliveries a second an endpoint's lane finishes, at its recent pace, for its deliveries
 * waiting in the table to hold up more backlog work while backlogs are paced.
 */
const DRAINING_PER_SECOND = 100;

export interface AdmissionOptions {
  endpointConcurrency: number;
  /** Deliveries held (queued or in flight) by this process at most. */
  maxHeld: number;
  /**
   * The event loop utilisation (0–1) lanes with a backlog may bring this process to while
   * other endpoints' deliveries are on time; 1 (the default) never paces them.
   */
  backlogBusy?: number;
  /** The pacer's clock (tests). */
  pacerClock?: PacerClock;
}

/** A dispatch's new deliveries: what lanes take now, leased, and what goes to the table unleased. */
export interface AdmissionPlan<T> {
  leased: T[];
  unleased: T[];
}

/** What the poller claims: at most `total`, per endpoint at most its room (0: none), `unlisted` for others. */
export interface ClaimPlan {
  total: number;
  rooms: Map<string, number>;
  unlisted: number;
}

export class DeliveryAdmission {
  private readonly lanes = new Map<string, EndpointLane>();
  /**
   * Endpoints whose due deliveries were left in the table for want of room in their lane:
   * claimed as that lane drains. Other lanes draining claim nothing, so a lane that stays
   * full (an endpoint that hangs) does not cost a claim per attempt that ends elsewhere.
   */
  private readonly backlog = new Set<string>();
  /**
   * Endpoints whose deliveries went to the table since the last claim was planned: that
   * claim may have looked before they were there, so taking less than it had room for does
   * not show their backlog gone.
   */
  private readonly leftDuringClaim = new Set<string>();
  /**
   * Endpoints with deliveries being written behind a dispatch: how many such writes, and
   * how many of their deliveries will come to the lane once written.
   */
  private readonly writing = new Map<string, { writes: number; leased: number }>();
  private readonly laneBacklog: number;
  private readonly pacer: BacklogPacer;
  /** Calls of records passed over waiting for room in the lanes they fed (holdBacklog). */
  private roomHolds: RoomHold[] = [];
  /** When (performance.now()) a call of records passed over last fed each endpoint. */
  private readonly drainFed = new Map<string, number>();
  /** What came to each endpoint live, and the starts that are owed to it (`arrived`). */
  private readonly inflow = new Map<string, Inflow>();
  private admitting = false;

  constructor(
    /** Whom the deliveries taken on here are leased to. */
    readonly owner: string,
    private readonly leases: DeliveryLeases,
    private readonly opts: AdmissionOptions,
    private readonly makeLane: (endpointId: string) => EndpointLane,
    /** Hands a job back to the table unattempted. */
    private readonly handBack: (job: DeliveryJob) => void,
    /** Asks the poller to look for due deliveries now. */
    private readonly claim: () => void,
  ) {
    this.laneBacklog = opts.endpointConcurrency * 4;
    this.pacer = new BacklogPacer(opts.backlogBusy ?? 1, opts.pacerClock);
  }

  open(): void {
    this.admitting = true;
  }

  /** Takes nothing more: no room anywhere, and whatever is offered goes back to the table. */
  close(): void {
    this.admitting = false;
    this.releaseRoomHolds(() => true);
  }

  // ---- the dispatcher's side ----

  /**
   * Where a dispatch's new deliveries go: to their lane, leased, while it has room, and to
   * the table, unleased, once it has none, to be claimed as it drains. An endpoint with
   * deliveries waiting in the table gets none leased: its new ones queue behind them. The
   * room of one with deliveries being written behind counts those coming to its lane.
   */
  plan<T>(items: T[], endpointOf: (item: T) => string): AdmissionPlan<T> {
    const room = new Map<string, number>();
    const out: AdmissionPlan<T> = { leased: [], unleased: [] };
    for (const item of items) {
      const id = endpointOf(item);
      const left =
        room.get(id) ?? (this.backlog.has(id) ? 0 : this.room(id) - (this.writing.get(id)?.leased ?? 0));
      room.set(id, Math.max(left - 1, 0));
      (left > 0 ? out.leased : out.unleased).push(item);
    }
    return out;
  }

  /** Deliveries just created and leased to this process: into their lanes, or back to the table. */
  admit(jobs: DeliveryJob[]): void {
    for (const job of jobs) {
      // Beyond a short queue per endpoint a delivery waits in the table, not in memory with a
      // lease to keep renewing; the poller brings it back as the lane drains.
      const lane = this.lane(job.endpointId);
      if (!this.admitting || this.leases.size >= this.opts.maxHeld || lane.held >= this.limit(lane)) {
        this.handBack(job);
        this.backlog.add(job.endpointId);
        this.leftDuringClaim.add(job.endpointId);
        continue;
      }
      this.hold(job);
    }
  }

  /**
   * Deliveries of these endpoints are being written behind the dispatch that found them
   * (endpoint → how many of them are leased, to come to its lane once written). Until
   * writtenBehind, their next deliveries must be written behind too, after them, to stay
   * in order.
   */
  writingBehind(leased: ReadonlyMap<string, number>): void {
    for (const [id, n] of leased) {
      const w = this.writing.get(id) ?? { writes: 0, leased: 0 };
      this.writing.set(id, { writes: w.writes + 1, leased: w.leased + n });
    }
  }

  /** A write announced by writingBehind is durable (what it left in the table: leftInTable). */
  writtenBehind(leased: ReadonlyMap<string, number>): void {
    for (const [id, n] of leased) {
      const w = this.writing.get(id);
      if (!w) continue;
      if (w.writes > 1) this.writing.set(id, { writes: w.writes - 1, leased: w.leased - n });
      else this.writing.delete(id);
    }
    this.releaseRoomHolds();
  }

  /** Whether deliveries of this endpoint are being written behind a dispatch. */
  isWritingBehind(endpointId: string): boolean {
    return this.writing.has(endpointId);
  }

  /**
   * New deliveries of a live call (records read as they came, not passed over) were written
   * for these endpoints, one entry per delivery, leased or not. A lane that is behind still
   * starts unpaced as many as come to it at its steady rate: what came to it in the last
   * INFLOW_MS window in which it was on time throughout. Otherwise a steady stream judged
   * behind once (a burst to a slow endpoint, a pause) would go at the pacing budget, below
   * its rate, and stay behind for as long as any other lane is on time. What comes beyond
   * that rate, a burst live or passed over, is a backlog, paced. What a lane owes is bounded
   * by what it finishes in LANE_HOLD_MS at its own pace (a short queue at least), so arrivals
   * it could not start (an endpoint that hangs, or whose breaker is open) do not let its
   * backlog through unpaced later.
   */
  arrived(endpointIds: readonly string[], now = performance.now()): void {
    const counts = new Map<string, number>();
    for (const id of endpointIds) counts.set(id, (counts.get(id) ?? 0) + 1);
    for (const [id, n] of counts) {
      let f = this.inflow.get(id);
      if (!f) {
        f = { since: now, arrived: 0, behind: false, steady: 0, credited: 0, owed: 0 };
        this.inflow.set(id, f);
      } else if (now - f.since >= INFLOW_MS) {
        // A window with nothing in it was on time, at a rate of nothing.
        const gap = now - f.since >= 2 * INFLOW_MS;
        if (gap || !f.behind) f.steady = gap ? 0 : f.arrived;
        f.since = gap ? now : f.since + INFLOW_MS;
        f.arrived = 0;
        f.credited = 0;
        f.behind = false;
      }
      const lane = this.lanes.get(id);
      if (this.backlog.has(id) || (lane && this.behind(lane))) f.behind = true;
      f.arrived += n;
      const credit = Math.min(n, f.steady - f.credited);
      if (credit <= 0) continue;
      f.credited += credit;
      const bound = Math.max(this.laneBacklog, Math.round(((lane?.pace() ?? 0) * LANE_HOLD_MS) / 1000));
      f.owed = Math.min(bound, f.owed + credit);
    }
  }

  /**
   * Deliveries of these endpoints were left due in the table unleased: claimed as their
   * lanes drain, or at once by a lane that has room.
   */
  leftInTable(endpointIds: Iterable<string>): void {
    let room = false;
    for (const id of endpointIds) {
      this.backlog.add(id);
      this.leftDuringClaim.add(id);
      room ||= this.room(id) > 0;
    }
    if (room) this.claim();
  }

  /**
   * How many more deliveries of this endpoint this process would take on now: room in the
   * endpoint's lane, and in what the process holds at all.
   */
  room(endpointId: string): number {
    if (!this.admitting) return 0;
    const lane = this.lanes.get(endpointId);
    const held = lane?.held ?? 0;
    return Math.max(0, Math.min(this.opts.maxHeld - this.leases.size, this.limit(lane) - held));
  }

  // ---- the poller's side ----

  /** What a claim may take now. A lane at least half full takes nothing until it drains, so claims come in batches. */
  claimPlan(): ClaimPlan {
    const total = this.admitting ? Math.min(this.opts.maxHeld - this.leases.size, CLAIM_BATCH) : 0;
    const rooms = new Map<string, number>();
    for (const lane of this.lanes.values()) {
      const cap = this.limit(lane);
      rooms.set(lane.endpointId, lane.held >= cap / 2 ? 0 : cap - lane.held);
    }
    this.leftDuringClaim.clear();
    return { total, rooms, unlisted: this.laneBacklog };
  }

  /**
   * Holds what a claim took. An endpoint that got all it had room for may have more due.
   * Unless the claim was cut short by its total, one that got less has none left (none
   * that were there when it looked); one passed over (its lane full) stays as it was.
   */
  claimed(jobs: DeliveryJob[], plan: ClaimPlan): void {
    for (const job of jobs) this.hold(job);
    const got = new Map<string, number>();
    for (const job of jobs) got.set(job.endpointId, (got.get(job.endpointId) ?? 0) + 1);
    const roomOf = (id: string): number => plan.rooms.get(id) ?? plan.unlisted;
    for (const [id, n] of got) if (n >= roomOf(id)) this.backlog.add(id);
    if (jobs.length >= plan.total) return;
    for (const id of [...this.backlog]) {
      const room = roomOf(id);
      if (room > 0 && (got.get(id) ?? 0) < room && !this.leftDuringClaim.has(id)) this.backlog.delete(id);
    }
    this.releaseRoomHolds();
  }

  /** A job is done with here: its slot is free, and a lane with a backlog that drained claims more. */
  settled(outcome: DeliveryOutcome): void {
    this.leases.letGo(outcome.job.id);
    if (outcome.kind !== 'released') {
      const id = outcome.job.endpointId;
      const lane = this.lanes.get(id);
      if (this.backlog.has(id) && (lane?.held ?? 0) < this.limit(lane) / 2) this.claim();
    }
    this.releaseRoomHolds();
  }

  // ---- the lanes themselves ----

  /**
   * Whether a lane may start its next attempt now (0) or must wait (ms). A lane that is
   * behind (`behind`) is paced while other lanes' attempts are on time, but for the starts
   * it owes what came to it live (`arrived`): those are on time, as other lanes' are.
   */
  gate(lane: EndpointLane): number {
    const id = lane.endpointId;
    const f = this.inflow.get(id);
    if (!f || f.owed === 0) {
      const behind = this.behind(lane);
      if (behind && f) f.behind = true;
      return this.pacer.wait(id, behind);
    }
    f.owed--;
    return this.pacer.wait(id, false);
  }

  /**
   * Whether a lane has a backlog: deliveries waiting in the table; or a queue as long as its
   * concurrency while records passed over in the log feed it (DRAINING_MS); or more queued
   * than it starts within BEHIND_MS at its own pace (at least its concurrency; just that
   * until its first attempt is answered). Its own pace, not the pace pacing lets it go at: a
   * steady stream held back by pacing would otherwise stay behind because it is held back.
   */
  behind(lane: EndpointLane): boolean {
    const id = lane.endpointId;
    if (this.backlog.has(id)) return true;
    if (lane.queued < lane.concurrency) return false;
    if (this.draining(id)) return true;
    const pace = lane.pace();
    return pace === null || lane.queued >= (pace * BEHIND_MS) / 1000;
  }

  /** Whether a call of records passed over fed this endpoint within DRAINING_MS. */
  private draining(endpointId: string): boolean {
    const fed = this.drainFed.get(endpointId);
    if (fed === undefined) return false;
    if (performance.now() - fed < DRAINING_MS) return true;
    this.drainFed.delete(endpointId);
    return false;
  }

  /**
   * What the next call of records passed over (a backlog read from the log) should wait for,
   * once this one's deliveries (`fed`: endpoint → how many) are planned. The lanes it fed are
   * draining a backlog (`behind`) for DRAINING_MS from now.
   *
   * While backlogs are paced: a loop within its target, and the deliveries left in the
   * table of endpoints that drain them (BacklogPacer.hold). Those of an endpoint that hangs,
   * is slow or has its breaker open are not waited for: they would keep the reader at the
   * pacer's longest hold for as long as they wait there.
   *
   * Otherwise: room in the lanes it fed for as many again, leased, so a drain goes from the
   * log straight to its lanes instead of through the table and back by a claim (an update
   * and a read of its payload more per delivery). Only lanes that finish that many within
   * ROOM_HOLD_MS at their recent pace are waited for, and for ROOM_HOLD_MS at most: the
   * backlog of a slow endpoint, or of one whose breaker is open, goes to the table as
   * before, and the reader, which carries every tenant's records passed over, never waits
   * long for one endpoint.
   */
  holdBacklog(fed: ReadonlyMap<string, number>): Promise<void> | undefined {
    const now = performance.now();
    for (const id of fed.keys()) this.drainFed.set(id, now);
    const paced = this.pacer.hold(() =>
      [...this.backlog].every((id) => !this.drainsWithin(id, DRAINING_PER_SECOND, 1000)),
    );
    if (paced) return paced;
    const waitFor = [...fed].filter(([id, n]) => this.drainsWithin(id, n, ROOM_HOLD_MS));
    if (waitFor.length === 0 || this.hasRoomFor(waitFor)) return undefined;
    return new Promise<void>((resolve) => {
      const hold: RoomHold = {
        waitFor,
        resolve,
        timer: setTimeout(() => this.releaseRoomHolds((h) => h === hold), ROOM_HOLD_MS),
      };
      this.roomHolds.push(hold);
    });
  }

  get pacing(): BacklogPacer['stats'] {
    return this.pacer.stats;
  }

  get laneList(): EndpointLane[] {
    return [...this.lanes.values()];
  }

  /** Lets go of lanes that hold nothing and have not been used for `idleMs`, breaker closed. */
  retireIdle(idleMs: number, now = Date.now()): void {
    for (const id of [...this.drainFed.keys()]) this.draining(id); // drops those gone by
    for (const [id, lane] of this.lanes) {
      if (lane.held === 0 && now - lane.lastUsed > idleMs && lane.breaker.closed) {
        lane.shutdown();
        this.lanes.delete(id);
      }
    }
    const at = performance.now();
    for (const [id, f] of this.inflow)
      if (!this.lanes.has(id) && at - f.since >= 2 * INFLOW_MS) this.inflow.delete(id);
  }

  shutdownLanes(): void {
    this.releaseRoomHolds(() => true);
    this.pacer.stop();
    for (const lane of this.lanes.values()) lane.shutdown();
    this.lanes.clear();
    this.inflow.clear();
  }

  /** Takes the queued (not yet started) jobs that match out of their lanes; they are no longer held. */
  unqueue(match: (job: DeliveryJob) => boolean): DeliveryJob[] {
    const out: DeliveryJob[] = [];
    for (const lane of this.lanes.values()) {
      for (const job of lane.drainQueued(match)) {
        this.leases.letGo(job.id);
        out.push(job);
      }
    }
    return out;
  }

  /**
   * What a lane may hold: a short queue behind its concurrency cap, or more for an endpoint
   * that answers fast (and is not paced), so its deliveries need not wait in the table.
   * Nothing while its breaker is open: the lane would only hand them back, deferred, so
   * they wait in the table until it half-opens.
   */
  private capacity(lane: EndpointLane | undefined): number {
    if (lane?.breaker.opened) return 0;
    // While backlogs are paced, a lane that is behind or draining a backlog goes at the
    // budget at most: what it holds beyond that would only wait in memory, its leases
    // renewed, instead of in the table. A lane on time is not paced, and keeps the room of
    // its own pace: cut to the budget, a dispatch's burst would leave its deliveries in the
    // table, and with them the lane behind and paced.
    const own = lane?.pace() ?? 0;
    const cut = lane !== undefined && (this.draining(lane.endpointId) || this.behind(lane));
    const perSecond = cut ? Math.min(own, this.pacer.budget) : own;
    const holds = Math.round((perSecond * LANE_HOLD_MS) / 1000);
    return Math.min(this.opts.maxHeld, Math.max(this.laneBacklog, holds));
  }

  /**
   * What a lane may hold now: its capacity, but beyond a short queue no more than half of
   * what the other lanes leave free. However many endpoints fill up, the process keeps room
   * for a delivery to one more, so an endpoint with a large backlog never takes the room
   * another tenant's next delivery needs.
   */
  private limit(lane: EndpointLane | undefined): number {
    const held = lane?.held ?? 0;
    const free = this.opts.maxHeld - (this.leases.size - held);
    return Math.min(this.capacity(lane), Math.max(this.laneBacklog, Math.floor(free / 2)));
  }

  /** Whether this endpoint's lane, breaker not open, finishes `n` deliveries within `ms` at its recent pace. */
  private drainsWithin(endpointId: string, n: number, ms: number): boolean {
    const lane = this.lanes.get(endpointId);
    if (!lane || lane.breaker.opened) return false;
    return ((lane.pace() ?? 0) * ms) / 1000 >= n;
  }

  /** Whether a plan now would lease as many deliveries of each of these endpoints. */
  private hasRoomFor(waitFor: ReadonlyArray<[string, number]>): boolean {
    return waitFor.every(([id, n]) => !this.backlog.has(id) && !this.writing.has(id) && this.room(id) >= n);
  }

  /** Lets go of the room holds `due` picks (default: those whose lanes have room now). */
  private releaseRoomHolds(due: (hold: RoomHold) => boolean = (h) => this.hasRoomFor(h.waitFor)): void {
    if (this.roomHolds.length === 0) return;
    const still: RoomHold[] = [];
    for (const h of this.roomHolds) {
      if (due(h)) {
        clearTimeout(h.timer);
        h.resolve();
      } else still.push(h);
    }
    this.roomHolds = still;
  }

  private hold(job: DeliveryJob): void {
    if (!this.leases.take(job)) return;
    this.lane(job.endpointId).push(job);
  }

  private lane(endpointId: string): EndpointLane {
    let lane = this.lanes.get(endpointId);
    if (!lane) {
      lane = this.makeLane(endpointId);
      this.lanes.set(endpointId, lane);
    }
    return lane;
  }
}

/** What comes to an endpoint live (`arrived`), by windows of INFLOW_MS. */
interface Inflow {
  /** When this window began (performance.now()). */
  since: number;
  arrived: number;
  /** Whether its lane was found behind in this window. */
  behind: boolean;
  /** What came in the last window its lane was on time throughout. */
  steady: number;
  /** This window's arrivals counted at its steady rate. */
  credited: number;
  /** Starts owed to that inflow, not yet made. */
  owed: number;
}

/** A call of records passed over waiting for room in the lanes it fed. */
interface RoomHold {
  waitFor: Array<[string, number]>;
  resolve: () => void;
  timer: NodeJS.Timeout;
}
