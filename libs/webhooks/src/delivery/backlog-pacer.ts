/**
 * Keeps a backlog from taking the whole process while other endpoints' deliveries are on
 * time. A lane is backlogged while the admission finds it behind (deliveries waiting in the
 * table, or more queued than it starts in a moment at its own pace); its attempts are late
 * already. The starts it owes its steady inflow are not backlogged (the admission asks for
 * them as on time: DeliveryAdmission.arrived). While another lane, not backlogged, has started an attempt within
 * LIVE_WINDOW_MS, the attempts of backlogged lanes share a budget of starts per second,
 * and the budget follows the event loop: it
 * shrinks while the loop is busier than `busyTarget` and grows while it is well below. A
 * drain at full speed keeps the loop, the database and the receivers busy; every other
 * tenant's next delivery would queue behind that work at each of its steps. With nothing
 * on time to protect, a backlog goes at full speed.
 */
import { performance } from 'node:perf_hooks';

/** How recently an on-time attempt must have started for backlogs to be paced. */
const LIVE_WINDOW_MS = 1_000;
/** How often the budget is adjusted to the loop's load while pacing. */
const SAMPLE_MS = 100;
/** Starts per second a backlog keeps at least, however busy the loop. */
const MIN_RATE = 20;
/** Starts the budget may save up (so a lane's timer need not fire for each). */
const BURST = 4;
/** Budget steps: cut while over target (by half at most), grown while under a fraction of it. */
const DECREASE = 0.5;
const INCREASE = 1.15;
const INCREASE_STEP = 20;
const UNDER = 0.8;
/** How soon after pacing ended it resumes at the budget it had. */
const RESUME_WITHIN_MS = 10_000;
/** The longest more backlog work is held back while the loop stays over target. */
const MAX_HOLD_MS = 500;

export interface PacerClock {
  /** Milliseconds, monotonic. */
  now(): number;
  /** The event loop's utilisation (0–1) since the previous call. */
  utilization(): number;
  /** Calls `tick` every `ms` until the returned function is called. */
  every(ms: number, tick: () => void): () => void;
}

export const systemPacerClock = (): PacerClock => {
  let last = performance.eventLoopUtilization();
  return {
    now: () => performance.now(),
    utilization: () => {
      const next = performance.eventLoopUtilization();
      const u = performance.eventLoopUtilization(next, last).utilization;
      last = next;
      return u;
    },
    every: (ms, tick) => {
      const timer = setInterval(tick, ms);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
};

export interface PacerStats {
  /** Whether backlogs are paced now. */
  pacing: boolean;
  /** Their budget of starts per second (Infinity while not pacing). */
  rate: number;
  /** Starts a backlogged lane was told to wait for, so far. */
  held: number;
}

export class BacklogPacer {
  /** The two lanes that last started an attempt on time, and when (the latest first). */
  private live = [
    { lane: '', at: -Infinity },
    { lane: '', at: -Infinity },
  ];
  /** When a backlogged lane was last paced. */
  private lastPaced = -Infinity;
  private rate = Infinity;
  private tokens = 0;
  private refilled = 0;
  /** Backlogged starts since the last sample, and its time. */
  private starts = 0;
  private sampledAt = 0;
  /** The budget the last pacing ended with, and when: pacing that resumes soon after begins there. */
  private ended = { rate: MIN_RATE, at: -Infinity };
  private stopSampling: (() => void) | undefined;
  private heldCount = 0;
  /** The loop's utilisation at the last sample while pacing. */
  private lastBusy = 0;
  /** Backlog work waiting for the loop to be within target (`hold`). */
  private holds: Array<{ resolve: () => void; drained: () => boolean; since: number }> = [];

  constructor(
    /** The event loop utilisation (0–1) backlogs may bring the loop to while pacing; 1: never paced. */
    private readonly busyTarget: number,
    private readonly clock: PacerClock = systemPacerClock(),
  ) {}

  /**
   * Whether a lane may start an attempt now: 0 if it may, otherwise how many milliseconds
   * to wait before asking again. A backlogged lane is paced only for the on-time starts of
   * other lanes: its own, while its queue is short, do not count.
   */
  wait(lane: string, backlogged: boolean): number {
    const now = this.clock.now();
    if (!backlogged) {
      if (this.live[0]!.lane === lane) this.live[0]!.at = now;
      else this.live = [{ lane, at: now }, this.live[0]!];
      return 0;
    }
    const othersLive = this.live[0]!.lane !== lane ? this.live[0]!.at : this.live[1]!.at;
    if (this.busyTarget >= 1 || now - othersLive > LIVE_WINDOW_MS) return 0;
    this.lastPaced = now;
    if (!this.stopSampling) this.startPacing(now);
    this.tokens = Math.min(BURST, this.tokens + ((now - this.refilled) * this.rate) / 1000);
    this.refilled = now;
    if (this.tokens >= 1) {
      this.tokens--;
      this.starts++;
      return 0;
    }
    this.heldCount++;
    return Math.max(1, Math.ceil(((1 - this.tokens) * 1000) / this.rate));
  }

  /**
   * What more backlog work (records passed over, still to be matched and written) should
   * wait for: nothing unless pacing; then until a sample finds the loop within its target
   * and `drained()` true (the backlog taken on before is out of the way), or MAX_HOLD_MS,
   * whichever comes first. Taken on faster than the paced lanes drain it, it would only wait
   * in the table, written and claimed again at the loop's expense.
   */
  hold(drained: () => boolean): Promise<void> | undefined {
    if (!this.stopSampling) return undefined;
    if (this.lastBusy <= this.busyTarget && drained()) return undefined;
    return new Promise<void>((resolve) => this.holds.push({ resolve, drained, since: this.clock.now() }));
  }

  /** Backlogged starts per second allowed now (Infinity while not pacing). */
  get budget(): number {
    return this.rate;
  }

  get stats(): PacerStats {
    return { pacing: this.stopSampling !== undefined, rate: this.rate, held: this.heldCount };
  }

  stop(): void {
    if (this.stopSampling) this.ended = { rate: this.rate, at: this.clock.now() };
    this.stopSampling?.();
    this.stopSampling = undefined;
    this.rate = Infinity;
    this.lastBusy = 0;
    this.release(() => true);
  }

  /**
   * Pacing begins low and grows while the loop has room: a drain at full speed has the loop
   * saturated, and how far over the target it is cannot be told from there. Pacing that
   * resumes soon after it ended begins where it was.
   */
  private startPacing(now: number): void {
    this.rate = now - this.ended.at < RESUME_WITHIN_MS ? this.ended.rate : MIN_RATE;
    this.tokens = 1;
    this.refilled = now;
    this.starts = 0;
    this.sampledAt = now;
    this.clock.utilization();
    this.stopSampling = this.clock.every(SAMPLE_MS, () => this.sample());
  }

  private sample(): void {
    const now = this.clock.now();
    const busy = this.clock.utilization();
    const used = (this.starts * 1000) / Math.max(now - this.sampledAt, 1);
    this.starts = 0;
    this.sampledAt = now;
    // No lane paced for a while: backlogs go at full speed again.
    if (now - this.lastPaced > LIVE_WINDOW_MS) {
      this.stop();
      return;
    }
    this.lastBusy = busy;
    this.release((h) => (busy <= this.busyTarget && h.drained()) || now - h.since >= MAX_HOLD_MS);
    // Cut in proportion to how far over target the loop is, by half at most.
    if (busy > this.busyTarget)
      this.rate = Math.max(MIN_RATE, this.rate * Math.max(DECREASE, this.busyTarget / busy));
    // Grown only while backlogs use what they have: a budget they leave unused proves nothing.
    else if (busy < this.busyTarget * UNDER && used >= this.rate * UNDER)
      this.rate = this.rate * INCREASE + INCREASE_STEP;
  }

  private release(due: (hold: BacklogPacer['holds'][number]) => boolean): void {
    const still: typeof this.holds = [];
    for (const h of this.holds) {
      if (due(h)) h.resolve();
      else still.push(h);
    }
    this.holds = still;
  }
}
