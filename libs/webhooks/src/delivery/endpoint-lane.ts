/**
 * One endpoint's share of the worker: its queue, its concurrency cap and its circuit
 * breaker (opossum). A slow or dead endpoint fills only its own lane; other lanes keep
 * moving. While the breaker is open the lane sends nothing and hands its jobs back as
 * deferred (no attempt used up); when it turns half-open exactly one job goes out as the
 * probe and the rest wait for its verdict.
 */
import CircuitBreaker from 'opossum';
import type { DeliveryJob } from './delivery-job';

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

export type LaneRunner = (
  job: DeliveryJob,
  attempt: (send: () => Promise<unknown>) => Promise<unknown>,
) => Promise<void>;

export class EndpointLane {
  private readonly queue: DeliveryJob[] = [];
  private inflight = 0;
  private openedAt = 0;
  private probing = false;
  readonly breaker: CircuitBreaker<[() => Promise<unknown>], unknown>;
  lastUsed = Date.now();

  constructor(
    readonly endpointId: string,
    private readonly cap: number,
    private readonly settings: BreakerSettings,
    private readonly runner: LaneRunner,
    private readonly onOpenQueue: (jobs: DeliveryJob[], reopenAt: Date) => void,
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
    this.breaker.shutdown();
  }

  private pump(): void {
    if (this.breaker.opened) {
      if (this.queue.length > 0) this.onOpenQueue(this.queue.splice(0), this.reopenAt());
      return;
    }
    while (this.inflight < this.cap && this.queue.length > 0 && !this.probing) {
      const probe = this.breaker.halfOpen;
      const job = this.queue.shift() as DeliveryJob;
      this.inflight++;
      if (probe) this.probing = true;
      void this.runner(job, (send) => this.breaker.fire(send)).finally(() => {
        this.inflight--;
        if (probe) this.probing = false;
        this.lastUsed = Date.now();
        this.pump();
      });
    }
  }
}
