/**
 * One endpoint's share of the worker: its queue, its concurrency cap and its circuit
 * breaker (opossum). A slow or dead endpoint fills only its own lane; other lanes keep
 * moving. While the breaker is open the lane sends nothing and hands its jobs back as
 * deferred (no attempt used up); when it turns half-open exactly one job goes out as the
 * probe and the rest wait for its verdict. Every job the lane takes ends as one outcome,
 * handed to `settle`; how many jobs a lane is given, and when a backlogged one may start
 * its next, are the admission's business (`gate`).
 */
import CircuitBreaker from 'opossum';
import type { DeliveryJob, DeliveryOutcome } from './delivery-job';

export interface BreakerSettings {
  resetMs: number;
  volumeThreshold: number;
  errorPercent: number;
  windowMs: number;
}

/** Thrown through the breaker for a failed attempt, so opossum counts it. */
export class AttemptFailed extends Error {
  constructor(readonly result: unknown) {
    super('attempt failed');
  }
}

/** How many recent attempts set a lane's pace. */
const PACE_SAMPLES = 128;
/** An attempt in flight this long (ms) means the endpoint has slowed down. */
const STALLED_MS = 1_000;

/** Makes one attempt at a job through its lane (breaker, pace) and says what became of it; never rejects. */
export type LaneRunner = (job: DeliveryJob, lane: EndpointLane) => Promise<DeliveryOutcome>;

/** Whether the lane may start its next attempt now: 0, or how many ms to wait before asking again. */
export type LaneGate = (lane: EndpointLane) => number;

export class EndpointLane {
  private readonly queue: DeliveryJob[] = [];
  private inflight = 0;
  private openedAt = 0;
  private probing = false;
  readonly breaker: CircuitBreaker<[() => Promise<unknown>], unknown>;
  lastUsed = Date.now();
  /** When each request in flight went out (performance.now()). */
  private readonly started = new Map<DeliveryJob, number>();
  /** How long the last PACE_SAMPLES requests took to be answered (ms), a ring. */
  private readonly took = new Float64Array(PACE_SAMPLES);
  /** The quickest of those (ms). */
  private quickestMs = Infinity;
  /** Requests answered so far. */
  ended = 0;
  /** Pumps again once the gate lets the next attempt start. */
  private gateTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly endpointId: string,
    private readonly cap: number,
    private readonly settings: BreakerSettings,
    private readonly runner: LaneRunner,
    /** Takes the outcome of every job once the lane is done with it (its slot is free again). */
    private readonly settle: (outcome: DeliveryOutcome) => void,
    private readonly gate: LaneGate = () => 0,
  ) {
    this.breaker = new CircuitBreaker((send: () => Promise<unknown>) => send(), {
      timeout: false,
      resetTimeout: settings.resetMs,
      volumeThreshold: settings.volumeThreshold,
      errorThresholdPercentage: settings.errorPercent,
      rollingCountTimeout: settings.windowMs,
      rollingCountBuckets: 10,
    });
    this.breaker.on('open', () => {
      this.openedAt = Date.now();
    });
  }

  get held(): number {
    return this.queue.length + this.inflight;
  }

  /** Jobs waiting for a slot. */
  get queued(): number {
    return this.queue.length;
  }

  /** Its concurrency cap. */
  get concurrency(): number {
    return this.cap;
  }

  /**
   * Attempts this lane can finish per second: its concurrency over the time its quickest
   * recent attempt took. The quickest, because an attempt's time also holds whatever kept
   * this process's event loop busy meanwhile; a slow endpoint's quickest attempt is still
   * slow. An attempt in flight for longer than STALLED_MS sets the pace instead, so an
   * endpoint that stops answering loses it. Null until the first attempt ends.
   */
  pace(now = performance.now()): number | null {
    if (this.ended === 0) return null;
    let ms = this.quickestMs;
    for (const at of this.started.values()) if (now - at > STALLED_MS) ms = Math.max(ms, now - at);
    return (this.cap * 1000) / Math.max(ms, 0.1);
  }

  /** A request of this lane is going out now. */
  sending(job: DeliveryJob): void {
    this.started.set(job, performance.now());
  }

  /** The request of `job` has its answer (or failed). */
  answered(job: DeliveryJob): void {
    const at = this.started.get(job);
    if (at === undefined) return;
    this.started.delete(job);
    this.took[this.ended % PACE_SAMPLES] = performance.now() - at;
    this.ended++;
    // Once per answer rather than at every look at the pace (several per delivery).
    this.quickestMs = Infinity;
    for (let i = 0; i < Math.min(this.ended, PACE_SAMPLES); i++) {
      this.quickestMs = Math.min(this.quickestMs, this.took[i]!);
    }
  }

  /** When an open breaker lets its next probe through. */
  reopenAt(): Date {
    return new Date(Math.max(this.openedAt + this.settings.resetMs, Date.now()));
  }

  push(job: DeliveryJob): void {
    this.queue.push(job);
    this.lastUsed = Date.now();
    this.pump();
  }

  /** Removes and returns the queued (not yet started) jobs. */
  drainQueued(filter: (job: DeliveryJob) => boolean = () => true): DeliveryJob[] {
    const out: DeliveryJob[] = [];
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const job = this.queue[i] as DeliveryJob;
      if (filter(job)) {
        out.unshift(job);
        this.queue.splice(i, 1);
      }
    }
    return out;
  }

  queuedIds(): string[] {
    return this.queue.map((j) => j.id);
  }

  shutdown(): void {
    clearTimeout(this.gateTimer);
    this.gateTimer = undefined;
    this.breaker.shutdown();
  }

  private pump(): void {
    if (this.breaker.opened) {
      if (this.queue.length === 0) return;
      const nextAttemptAt = this.reopenAt();
      for (const job of this.queue.splice(0)) this.settle({ kind: 'deferred', job, nextAttemptAt });
      return;
    }
    while (this.inflight < this.cap && this.queue.length > 0 && !this.probing && !this.gateTimer) {
      const wait = this.gate(this);
      if (wait > 0) {
        this.gateTimer = setTimeout(() => {
          this.gateTimer = undefined;
          this.pump();
        }, wait);
        return;
      }
      const probe = this.breaker.halfOpen;
      const job = this.queue.shift() as DeliveryJob;
      this.inflight++;
      if (probe) this.probing = true;
      // A runner that broke its promise not to reject hands the job back unattempted.
      let outcome: DeliveryOutcome = { kind: 'released', job };
      void this.runner(job, this)
        .then(
          (o) => (outcome = o),
          () => undefined,
        )
        .finally(() => {
          this.inflight--;
          if (probe) this.probing = false;
          this.lastUsed = Date.now();
          this.pump();
          this.settle(outcome);
        });
    }
  }
}
