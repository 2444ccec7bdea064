/**
 * Admission of deliveries into this process: the one place that decides how many
 * deliveries each endpoint's lane may hold, whether the dispatcher waits for a lane's room
 * or leaves the overflow due in the table, and which endpoints have deliveries waiting in
 * the table, to be claimed as their lanes drain. The dispatcher hands it deliveries and
 * awaits room; the poller asks it what to claim; lanes only report what became of a job.
 */
import type { DeliveryJob, DeliveryOutcome } from './delivery-job';
import type { DeliveryLeases } from './delivery-leases';
import type { EndpointLane } from './endpoint-lane';

/** A lane may hold (queued and in flight) what it finishes in this long, at its recent pace. */
const LANE_HOLD_MS = 1_000;
/** How long a new lane with no answer yet counts as fast. */
const UNTRIED_GRACE_MS = 100;
/** A new lane is not judged slow by a wait this early in its life. */
const LANE_WARMUP_MS = 1_000;
/** Attempts per second below which a lane's overflow goes to the table at once. */
const SLOW_PACE = 64;
/** How long one round of a dispatch waits for a fast endpoint's lane to make room. */
const ROOM_WAIT_MS = 250;
/** A lane that must free this many slots (or all that are wanted) within ROOM_WAIT_MS to be waited for. */
const FAST_LANE_SHARE = 64;
/** How long a lane found slow by a wait is not waited for. */
const SLOW_FOR_MS = 5_000;
/** Deliveries a claim takes at most. */
const CLAIM_BATCH = 500;

export interface AdmissionOptions {
  endpointConcurrency: number;
  /** Deliveries held (queued or in flight) by this process at most. */
  maxHeld: number;
}

/** One round of a dispatch: what lanes take now, what goes to the table unleased, what waits. */
export interface AdmissionPlan<T> {
  leased: T[];
  unleased: T[];
  later: T[];
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
  private readonly roomWaiters = new Set<() => void>();
  private readonly laneBacklog: number;
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
  }

  open(): void {
    this.admitting = true;
  }

  /** Takes nothing more: no room anywhere, and whatever is offered goes back to the table. */
  close(): void {
    this.admitting = false;
  }

  // ---- the dispatcher's side ----

  /**
   * This round's deliveries: leased where the lane has room, unleased where it has none
   * and will not soon; the rest wait for the next round (see `awaitRoom`).
   */
  plan<T>(items: T[], endpointOf: (item: T) => string): AdmissionPlan<T> {
    const room = new Map<string, number>();
    const waits = new Map<string, boolean>();
    const out: AdmissionPlan<T> = { leased: [], unleased: [], later: [] };
    for (const item of items) {
      const id = endpointOf(item);
      const left = room.get(id) ?? this.room(id);
      room.set(id, Math.max(left - 1, 0));
      if (left > 0) {
        out.leased.push(item);
        continue;
      }
      let wait = waits.get(id);
      if (wait === undefined) waits.set(id, (wait = this.drainsSoon(id)));
      (wait ? out.later : out.unleased).push(item);
    }
    return out;
  }

  /** Deliveries just created and leased to this process: into their lanes, or back to the table. */
  admit(jobs: DeliveryJob[]): void {
    for (const job of jobs) {
      // Beyond a short queue per endpoint a delivery waits in the table, not in memory with a
      // lease to keep renewing; the poller brings it back as the lane drains.
      const lane = this.lane(job.endpointId);
      if (!this.admitting || this.leases.size >= this.opts.maxHeld || lane.held >= this.capacity(lane)) {
        this.handBack(job);
        this.backlog.add(job.endpointId);
        continue;
      }
      this.hold(job);
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
      room ||= this.room(id) > 0;
    }
    if (room) this.claim();
  }

  /**
   * Waits (at most ROOM_WAIT_MS) until a lane waited for has room for a good share of what
   * it is wanted for. A lane that frees less than that over the whole wait is not fast
   * after all: for a while its overflow goes to the table without waiting.
   */
  async awaitRoom<T>(items: T[], endpointOf: (item: T) => string): Promise<void> {
    const wantedBy = new Map<string, number>();
    for (const item of items) wantedBy.set(endpointOf(item), (wantedBy.get(endpointOf(item)) ?? 0) + 1);
    const share = (n: number): number => Math.min(n, FAST_LANE_SHARE);
    const ended = (id: string): number => this.ended(id);
    const before = new Map([...wantedBy.keys()].map((id) => [id, ended(id)]));
    const enough = (): boolean => [...wantedBy].some(([id, n]) => this.room(id) >= share(n));
    const deadline = performance.now() + ROOM_WAIT_MS;
    while (!enough()) {
      const left = deadline - performance.now();
      if (left <= 0) {
        for (const [id, n] of wantedBy) {
          if (ended(id) - before.get(id)! < share(n)) this.markSlow(id, SLOW_FOR_MS);
        }
        return;
      }
      await this.slotFreed(left);
    }
  }

  /**
   * How many more deliveries of this endpoint this process would take on now: room in the
   * endpoint's lane, and in what the process holds at all.
   */
  room(endpointId: string): number {
    if (!this.admitting) return 0;
    const lane = this.lanes.get(endpointId);
    const held = lane?.held ?? 0;
    return Math.max(0, Math.min(this.opts.maxHeld - this.leases.size, this.capacity(lane) - held));
  }

  /**
   * Whether this endpoint's lane, full now, is worth waiting for rather than leaving its
   * overflow in the table: it answers (no attempt stalled, breaker closed), and neither
   * its pace nor a recent wait showed it to be slow. A new lane gets the benefit of the
   * doubt for a moment.
   */
  drainsSoon(endpointId: string): boolean {
    if (!this.admitting) return false;
    const lane = this.lanes.get(endpointId);
    // No lane yet: it starts with what this round leases it, if anything.
    if (!lane) return this.room(endpointId) > 0;
    if (!lane.breaker.closed || lane.slowUntil > performance.now()) return false;
    if (lane.isUntried(UNTRIED_GRACE_MS)) return true;
    return (lane.pace() ?? 0) >= SLOW_PACE;
  }

  /** Attempts this endpoint's lane has ended so far. */
  ended(endpointId: string): number {
    return this.lanes.get(endpointId)?.ended ?? 0;
  }

  /**
   * Takes the lane for slow for a while: a wait for its room was not worth it. Not in the
   * lane's first second, whose requests open connections and pay for the handshakes.
   */
  markSlow(endpointId: string, forMs: number): void {
    const lane = this.lanes.get(endpointId);
    const now = performance.now();
    if (lane && now - lane.createdAt >= LANE_WARMUP_MS) lane.slowUntil = now + forMs;
  }

  // ---- the poller's side ----

  /** What a claim may take now. A lane at least half full takes nothing until it drains, so claims come in batches. */
  claimPlan(): ClaimPlan {
    const total = this.admitting ? Math.min(this.opts.maxHeld - this.leases.size, CLAIM_BATCH) : 0;
    const rooms = new Map<string, number>();
    for (const lane of this.lanes.values()) {
      const cap = this.capacity(lane);
      rooms.set(lane.endpointId, lane.held >= cap / 2 ? 0 : cap - lane.held);
    }
    return { total, rooms, unlisted: this.laneBacklog };
  }

  /**
   * Holds what a claim took. An endpoint that got all it had room for may have more due;
   * one that got less has none left; one passed over (its lane full) stays as it was.
   */
  claimed(jobs: DeliveryJob[], plan: ClaimPlan): void {
    for (const job of jobs) this.hold(job);
    const got = new Map<string, number>();
    for (const job of jobs) got.set(job.endpointId, (got.get(job.endpointId) ?? 0) + 1);
    for (const [id, room] of plan.rooms) {
      if (room === 0) continue;
      if ((got.get(id) ?? 0) >= room) this.backlog.add(id);
      else this.backlog.delete(id);
    }
    for (const [id, n] of got) {
      if (!plan.rooms.has(id) && n >= plan.unlisted) this.backlog.add(id);
    }
  }

  /** A job is done with here: its slot is free, and a lane with a backlog that drained claims more. */
  settled(outcome: DeliveryOutcome): void {
    this.leases.letGo(outcome.job.id);
    if (outcome.kind !== 'released') {
      const id = outcome.job.endpointId;
      const lane = this.lanes.get(id);
      if (this.backlog.has(id) && (lane?.held ?? 0) < this.capacity(lane) / 2) this.claim();
    }
    for (const wake of [...this.roomWaiters]) wake();
  }

  // ---- the lanes themselves ----

  get laneList(): EndpointLane[] {
    return [...this.lanes.values()];
  }

  /** Lets go of lanes that hold nothing and have not been used for `idleMs`, breaker closed. */
  retireIdle(idleMs: number, now = Date.now()): void {
    for (const [id, lane] of this.lanes) {
      if (lane.held === 0 && now - lane.lastUsed > idleMs && lane.breaker.closed) {
        lane.shutdown();
        this.lanes.delete(id);
      }
    }
  }

  shutdownLanes(): void {
    for (const lane of this.lanes.values()) lane.shutdown();
    this.lanes.clear();
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
   * that answers fast, so its deliveries need not wait in the table. Nothing while its
   * breaker is open: the lane would only hand them back, deferred, so they wait in the
   * table until it half-opens.
   */
  private capacity(lane: EndpointLane | undefined): number {
    if (lane?.breaker.opened) return 0;
    const pace = Math.round(((lane?.pace() ?? 0) * LANE_HOLD_MS) / 1000);
    return Math.min(this.opts.maxHeld, Math.max(this.laneBacklog, pace));
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

  /** Resolves when a job is done with somewhere (room may have freed up), or after `ms`. */
  private slotFreed(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.roomWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.roomWaiters.add(done);
    });
  }
}
