/**
 * The deliveries this process holds (queued in a lane or in flight), each under a lease in
 * the table. Leases that would run short before the next renewal are extended, so no other
 * worker takes a delivery meanwhile; a queued job whose lease could not be kept belongs to
 * someone else and is dropped before it is attempted.
 */
import type { Logger } from 'pino';
import type { DeliveryJob } from './delivery-job';
import { DEFAULT_ATTEMPT_TIMEOUT_MS, DeliverySettingsCache } from './delivery-settings';
import type { DeliveryStore } from './delivery-store';

/** Start no attempt whose lease ends sooner than its timeout plus this. */
export const LEASE_SAFETY_MS = 2_000;

export class DeliveryLeases {
  private readonly held = new Map<string, DeliveryJob>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: DeliveryStore,
    private readonly owner: string,
    private readonly settings: DeliverySettingsCache,
    private readonly renewEveryMs: number,
    private readonly logger: Logger,
    /** Takes the queued (not yet started) jobs that match out of their lanes. */
    private readonly unqueue: (match: (job: DeliveryJob) => boolean) => DeliveryJob[],
  ) {}

  get size(): number {
    return this.held.size;
  }

  /** Holds a job; false when it is held already. */
  take(job: DeliveryJob): boolean {
    if (this.held.has(job.id)) return false;
    this.held.set(job.id, job);
    return true;
  }

  /** The job is done with here (its outcome is on its way to the table, which clears the lease). */
  letGo(jobId: string): void {
    this.held.delete(jobId);
  }

  start(): void {
    this.timer = setInterval(() => void this.renew(), this.renewEveryMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /**
   * Extends the leases that would otherwise run short before the next renewal: a job is
   * attempted only while its lease outlasts its timeout, and most are attempted long
   * before that, so most are never renewed.
   */
  async renew(): Promise<void> {
    const horizon = Date.now() + LEASE_SAFETY_MS + 2 * this.renewEveryMs;
    const ids: string[] = [];
    for (const [id, job] of this.held) {
      const timeoutMs = this.settings.cachedTimeoutMs(job.tenant) ?? DEFAULT_ATTEMPT_TIMEOUT_MS;
      if (job.leaseUntil - timeoutMs < horizon) ids.push(id);
    }
    if (ids.length === 0) return;
    try {
      const renewed = await this.store.renewLeases(this.owner, ids);
      for (const id of ids) {
        const job = this.held.get(id);
        if (!job) continue;
        const until = renewed.get(id);
        if (until !== undefined) job.leaseUntil = until;
      }
      // Queued jobs whose lease is gone belong to someone else now: drop them unattempted.
      for (const job of this.unqueue((j) => !renewed.has(j.id) && j.leaseUntil < Date.now())) {
        this.held.delete(job.id);
      }
    } catch (err) {
      this.logger.warn({ err }, 'renewing delivery leases failed');
    }
  }
}
