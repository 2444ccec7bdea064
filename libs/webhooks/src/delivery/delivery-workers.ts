/**
 * The delivery workers of one process. Deliveries arrive two ways: straight from the
 * dispatcher (already leased to this process, attempted at once) and from the poller,
 * which leases due retries, replays and orphans of dead workers. Each delivery goes to
 * its endpoint's lane; the attempt's outcome is written in batches. Leases of every
 * delivery held are renewed while it waits or runs, so no other worker takes it
 * meanwhile, and a job whose lease could not be kept is dropped before it is attempted.
 */
import { randomBytes } from 'node:crypto';
import * as os from 'node:os';
import type { BreakerCounts, HeraldMetrics } from '@herald/platform';
import type { Logger } from 'pino';
import type { EndpointRegistry, LiveEndpoint } from './endpoint-registry';
import type { DeliveryJob, DeliveryOutcome } from './delivery-job';
import { DeliveryMetrics } from './delivery-metrics';
import { DEFAULT_ATTEMPT_TIMEOUT_MS, DeliverySettingsCache } from './delivery-settings';
import type { BreakerState, DeliveryStore } from './delivery-store';
import { AttemptFailed, BreakerSettings, EndpointLane } from './endpoint-lane';
import { OutcomeWriter } from './outcome-writer';
import { honourRetryAfter, nextDelayMs, parseRetryAfter } from './retry-policy';
import { webhookHeaders } from '../signing/webhook-headers';
import type { SendResult, WebhookSender } from './webhook-sender';

export interface DeliveryWorkersOptions {
  endpointConcurrency: number;
  breaker: BreakerSettings;
  pollIntervalMs: number;
  /** Deliveries held (queued or in flight) by this process at most. */
  maxHeld?: number;
  renewEveryMs?: number;
}

/** Start no attempt whose lease ends sooner than its timeout plus this. */
const LEASE_SAFETY_MS = 2_000;
/** A lane may hold (queued and in flight) what it finishes in this long, at its recent pace. */
const LANE_HOLD_MS = 1_000;
const PURGE_EVERY_MS = 30_000;
const IDLE_LANE_MS = 10 * 60_000;
/** How long a new lane with no answer yet counts as fast. */
const UNTRIED_GRACE_MS = 100;
/** A new lane is not judged slow by a wait this early in its life. */
const LANE_WARMUP_MS = 1_000;
/** Attempts per second below which a lane's overflow goes to the table at once. */
const SLOW_PACE = 64;
/** How long a stopping process tries to record its open breakers as closed. */
const BREAKER_RECORD_ON_STOP_MS = 1_000;

export class DeliveryWorkers {
  readonly owner = `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly lanes = new Map<string, EndpointLane>();
  private readonly held = new Map<string, DeliveryJob>();
  private readonly writer: OutcomeWriter;
  private readonly maxHeld: number;
  private pollTimer: NodeJS.Timeout | undefined;
  private renewTimer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private pollAgain = false;
  /**
   * Endpoints whose due deliveries were left in the table for want of room in their lane:
   * claimed as that lane drains. Other lanes draining claim nothing, so a lane that stays
   * full (an endpoint that hangs) does not cost a claim per attempt that ends elsewhere.
   */
  private readonly backlogLanes = new Set<string>();
  private readonly laneBacklog: number;
  private lastPurge = 0;
  private stopped = true;
  private readonly writtenListeners = new Set<(batch: DeliveryOutcome[]) => void>();
  private readonly slotWaiters = new Set<() => void>();
  private readonly renewEveryMs: number;

  constructor(
    private readonly store: DeliveryStore,
    private readonly endpoints: EndpointRegistry,
    private readonly settings: DeliverySettingsCache,
    private readonly sender: WebhookSender,
    private readonly opts: DeliveryWorkersOptions,
    private readonly logger: Logger,
    metrics?: HeraldMetrics,
  ) {
    this.maxHeld = opts.maxHeld ?? 5000;
    this.laneBacklog = opts.endpointConcurrency * 4;
    this.renewEveryMs = opts.renewEveryMs ?? 3000;
    const counted = metrics ? new DeliveryMetrics(metrics) : undefined;
    this.writer = new OutcomeWriter(store, this.owner, logger, (batch) => {
      counted?.record(batch);
      for (const l of this.writtenListeners) l(batch);
    });
    metrics?.addBreakerSource(() => this.breakerCounts());
  }

  /** Observes outcomes once they are durable. */
  onOutcomes(listener: (batch: DeliveryOutcome[]) => void): () => void {
    this.writtenListeners.add(listener);
    return () => this.writtenListeners.delete(listener);
  }

  start(): void {
    this.stopped = false;
    this.pollTimer = setInterval(() => this.wake(), this.opts.pollIntervalMs);
    this.renewTimer = setInterval(() => void this.renew(), this.renewEveryMs);
    this.wake();
  }

  /** Look for due deliveries now (a replay or a test event was just scheduled). */
  wake(): void {
    if (this.stopped) return;
    if (this.polling) {
      this.pollAgain = true;
      return;
    }
    this.polling = this.poll().finally(() => {
      this.polling = undefined;
      if (this.pollAgain) {
        this.pollAgain = false;
        this.wake();
      }
    });
  }

  /**
   * How many more deliveries of this endpoint this process would take on now: room in the
   * endpoint's lane, and in what the process holds at all.
   */
  room(endpointId: string): number {
    if (this.stopped) return 0;
    const lane = this.lanes.get(endpointId);
    const held = lane?.held ?? 0;
    return Math.max(0, Math.min(this.maxHeld - this.held.size, this.capacity(lane) - held));
  }

  /**
   * Whether this endpoint's lane, full now, is worth waiting for rather than leaving its
   * overflow in the table: it answers (no attempt stalled, breaker closed), and neither
   * its pace nor a recent wait showed it to be slow. A new lane gets the benefit of the
   * doubt for a moment.
   */
  drainsSoon(endpointId: string): boolean {
    if (this.stopped) return false;
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

  /** Resolves when an attempt ends somewhere (room may have freed up), or after `ms`. */
  slotFreed(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.slotWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.slotWaiters.add(done);
    });
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
    return Math.min(this.maxHeld, Math.max(this.laneBacklog, pace));
  }

  /**
   * Deliveries of these endpoints were left due in the table unleased: claimed as their
   * lanes drain, or at once by a lane that has room.
   */
  backlogInTable(endpointIds: Iterable<string>): void {
    let room = false;
    for (const id of endpointIds) {
      this.backlogLanes.add(id);
      room ||= this.room(id) > 0;
    }
    if (room) this.wake();
  }

  /** Deliveries the dispatcher just created and leased to this process. */
  accept(jobs: DeliveryJob[]): void {
    for (const job of jobs) {
      // Beyond a short queue per endpoint a delivery waits in the table, not in memory with a
      // lease to keep renewing; the poller brings it back as the lane drains.
      const lane = this.lane(job.endpointId);
      if (this.stopped || this.held.size >= this.maxHeld || lane.held >= this.capacity(lane)) {
        this.writer.push({ kind: 'released', job });
        this.backlogLanes.add(job.endpointId);
        continue;
      }
      this.hold(job);
    }
  }

  /** Stops taking work, lets attempts in flight finish (up to `graceMs`), hands queued ones back. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    await this.polling;
    for (const lane of this.lanes.values()) {
      for (const job of lane.drainQueued()) this.release(job);
    }
    const deadline = Date.now() + graceMs;
    while (this.held.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    if (this.renewTimer) clearInterval(this.renewTimer);
    await this.writer.flush();
    // The breakers end with this process; another one starts its own, closed. Best effort, and
    // bounded: a database that does not answer must not hold up the shutdown.
    const stillOpen = [...this.lanes.values()].filter((l) => !l.breaker.closed).map((l) => l.endpointId);
    if (stillOpen.length > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(
          stillOpen.map((id) =>
            this.store.recordBreakerState(id, 'closed', new Date()).catch(() => undefined),
          ),
        ),
        new Promise((resolve) => (timer = setTimeout(resolve, BREAKER_RECORD_ON_STOP_MS))),
      ]);
      clearTimeout(timer);
    }
    for (const lane of this.lanes.values()) lane.shutdown();
    this.lanes.clear();
  }

  /** The breakers of the endpoints this process has attempted lately (idle lanes are let go), by state. */
  breakerCounts(): BreakerCounts {
    const counts: BreakerCounts = { closed: 0, open: 0, half_open: 0 };
    for (const lane of this.lanes.values()) {
      if (lane.breaker.opened) counts.open++;
      else if (lane.breaker.halfOpen) counts.half_open++;
      else counts.closed++;
    }
    return counts;
  }

  get heldCount(): number {
    return this.held.size;
  }

  private hold(job: DeliveryJob): void {
    if (this.held.has(job.id)) return;
    this.held.set(job.id, job);
    this.lane(job.endpointId).push(job);
  }

  private release(job: DeliveryJob): void {
    this.held.delete(job.id);
    this.writer.push({ kind: 'released', job });
  }

  private finish(outcome: DeliveryOutcome): void {
    this.held.delete(outcome.job.id);
    this.writer.push(outcome);
    const lane = this.lanes.get(outcome.job.endpointId);
    if (this.backlogLanes.has(outcome.job.endpointId) && (lane?.held ?? 0) < this.capacity(lane) / 2) {
      this.wake();
    }
    // Retries due sooner than the next poll would find them are looked for on time.
    const next = outcome.kind === 'attempted' || outcome.kind === 'deferred' ? outcome.nextAttemptAt : null;
    if (next) {
      const inMs = next.getTime() - Date.now();
      if (inMs < this.opts.pollIntervalMs) setTimeout(() => this.wake(), Math.max(inMs, 0) + 20).unref();
    }
  }

  private lane(endpointId: string): EndpointLane {
    let lane = this.lanes.get(endpointId);
    if (!lane) {
      lane = new EndpointLane(
        endpointId,
        this.opts.endpointConcurrency,
        this.opts.breaker,
        (job, viaBreaker) => this.run(job, viaBreaker),
        (jobs, reopenAt) => {
          for (const job of jobs) this.finish({ kind: 'deferred', job, nextAttemptAt: reopenAt });
        },
      );
      lane.onFinished = () => {
        for (const wake of [...this.slotWaiters]) wake();
      };
      // Its deliveries waited in the table while the breaker was open; the probe is one of them.
      lane.breaker.on('halfOpen', () => {
        this.breakerChanged(endpointId, 'half_open');
        this.wake();
      });
      lane.breaker.on('open', () => this.breakerChanged(endpointId, 'open'));
      lane.breaker.on('close', () => this.breakerChanged(endpointId, 'closed'));
      this.lanes.set(endpointId, lane);
    }
    return lane;
  }

  /**
   * Records a transition of an endpoint's breaker for the management API (never per
   * attempt: breakers change state rarely). Best effort: the breaker itself lives here.
   */
  private breakerChanged(endpointId: string, state: BreakerState): void {
    this.store.recordBreakerState(endpointId, state, new Date()).catch((err: unknown) => {
      this.logger.warn({ err, endpoint: endpointId, state }, 'recording a breaker transition failed');
    });
  }

  private async poll(): Promise<void> {
    try {
      for (;;) {
        const total = Math.min(this.maxHeld - this.held.size, 500);
        if (total <= 0 || this.stopped) return;
        // A lane at least half full takes nothing until it drains, so claims come in batches.
        const rooms = new Map<string, number>();
        for (const lane of this.lanes.values()) {
          const cap = this.capacity(lane);
          rooms.set(lane.endpointId, lane.held >= cap / 2 ? 0 : cap - lane.held);
        }
        // Released deliveries not yet written back still carry this worker's lease, so the
        // claim passes over them; a later poll finds them.
        const jobs = await this.store.claimDue(this.owner, total, rooms, this.laneBacklog);
        for (const job of jobs) this.hold(job);
        this.noteBacklog(jobs, rooms);
        // Short of the total, every endpoint got all it had room for or all it had due.
        if (jobs.length < total) break;
      }
      await this.housekeeping();
    } catch (err) {
      this.logger.error({ err }, 'claiming due deliveries failed');
    }
  }

  /**
   * After a claim: an endpoint that got all it had room for may have more due; one that
   * got less has none left; one passed over (its lane full) stays as it was.
   */
  private noteBacklog(jobs: DeliveryJob[], rooms: ReadonlyMap<string, number>): void {
    const got = new Map<string, number>();
    for (const job of jobs) got.set(job.endpointId, (got.get(job.endpointId) ?? 0) + 1);
    for (const [id, room] of rooms) {
      if (room === 0) continue;
      if ((got.get(id) ?? 0) >= room) this.backlogLanes.add(id);
      else this.backlogLanes.delete(id);
    }
    for (const [id, n] of got) {
      if (!rooms.has(id) && n >= this.laneBacklog) this.backlogLanes.add(id);
    }
  }

  private async housekeeping(): Promise<void> {
    const now = Date.now();
    if (now - this.lastPurge >= PURGE_EVERY_MS) {
      this.lastPurge = now;
      await this.store.purgeExpiredPreviousSecrets();
    }
    for (const [id, lane] of this.lanes) {
      if (lane.held === 0 && now - lane.lastUsed > IDLE_LANE_MS && lane.breaker.closed) {
        lane.shutdown();
        this.lanes.delete(id);
      }
    }
  }

  /**
   * Extends the leases that would otherwise run short before the next renewal: a job is
   * attempted only while its lease outlasts its timeout, and most are attempted long
   * before that, so most are never renewed.
   */
  private async renew(): Promise<void> {
    const horizon = Date.now() + LEASE_SAFETY_MS + 2 * this.renewEveryMs;
    const ids: string[] = [];
    for (const [id, job] of this.held) {
      if (
        job.leaseUntil - (this.settings.cachedTimeoutMs(job.tenant) ?? DEFAULT_ATTEMPT_TIMEOUT_MS) <
        horizon
      )
        ids.push(id);
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
      for (const lane of this.lanes.values()) {
        for (const job of lane.drainQueued((j) => !renewed.has(j.id) && j.leaseUntil < Date.now())) {
          this.held.delete(job.id);
        }
      }
    } catch (err) {
      this.logger.warn({ err }, 'renewing delivery leases failed');
    }
  }

  /** One attempt at one delivery, through its endpoint's breaker. */
  private async run(
    job: DeliveryJob,
    viaBreaker: (send: () => Promise<unknown>) => Promise<unknown>,
  ): Promise<void> {
    try {
      const [endpoint, settings] = await Promise.all([
        this.endpoints.get([job.endpointId]).then((m) => m.get(job.endpointId) ?? null),
        this.settings.forTenant(job.tenant),
      ]);
      if (!endpoint || !endpoint.active) {
        this.finish({ kind: 'cancelled', job });
        return;
      }
      if (job.leaseUntil - Date.now() < settings.attemptTimeoutMs + LEASE_SAFETY_MS) {
        this.release(job);
        return;
      }
      let result: SendResult;
      let headers: Record<string, string>;
      const at = new Date();
      try {
        const out = (await viaBreaker(async () => {
          const sent = await this.attempt(job, endpoint, settings.attemptTimeoutMs);
          if (!succeeded(sent.result)) throw new AttemptFailed(sent);
          return sent;
        })) as { result: SendResult; headers: Record<string, string> };
        ({ result, headers } = out);
      } catch (err) {
        if (!(err instanceof AttemptFailed)) {
          // The breaker refused (open, or a probe is already out): not an attempt.
          const lane = this.lanes.get(job.endpointId);
          this.finish({
            kind: 'deferred',
            job,
            nextAttemptAt: lane ? lane.reopenAt() : new Date(Date.now() + 1000),
          });
          return;
        }
        ({ result, headers } = err.result as { result: SendResult; headers: Record<string, string> });
      }
      this.finish(this.outcomeOf(job, at, result, headers, settings.retrySchedule));
    } catch (err) {
      this.logger.error({ err, delivery: job.id }, 'delivery attempt could not run; handing it back');
      this.release(job);
    }
  }

  private async attempt(
    job: DeliveryJob,
    endpoint: LiveEndpoint,
    timeoutMs: number,
  ): Promise<{ result: SendResult; headers: Record<string, string> }> {
    const headers = webhookHeaders(endpoint.scheme, endpoint.keys, {
      eventId: job.eventId,
      eventType: job.eventType,
      deliveryId: job.id,
      body: job.payload,
      timestamp: Math.floor(Date.now() / 1000),
    });
    const lane = this.lanes.get(job.endpointId);
    lane?.sending(job);
    const result = await this.sender.send(endpoint.url, headers, job.payload, timeoutMs);
    lane?.answered(job);
    return { result, headers };
  }

  private outcomeOf(
    job: DeliveryJob,
    at: Date,
    result: SendResult,
    headers: Record<string, string>,
    schedule: number[],
  ): DeliveryOutcome {
    const n = job.attemptCount + 1;
    const gone = result.statusCode === 410;
    let error = result.error;
    if (result.statusCode !== null && result.statusCode >= 300 && result.statusCode < 400) {
      const location = header(result.headers, 'location');
      error = `redirect not followed${location ? ` (Location: ${location.slice(0, 200)})` : ''}`;
    }
    const attempt = {
      n,
      at,
      statusCode: result.statusCode,
      latencyMs: result.latencyMs,
      responseBody: result.body,
      error,
      requestHeaders: headers,
    };
    if (succeeded(result)) {
      return { kind: 'attempted', job, attempt, status: 'succeeded', nextAttemptAt: null, gone: false };
    }
    const delay = gone ? null : nextDelayMs(schedule, n, job.maxAttempts);
    if (delay === null) {
      return { kind: 'attempted', job, attempt, status: 'dead', nextAttemptAt: null, gone };
    }
    const retryAfter =
      result.statusCode === 429 || result.statusCode === 503
        ? parseRetryAfter(header(result.headers, 'retry-after'), Date.now())
        : undefined;
    const next = new Date(Date.now() + honourRetryAfter(delay, retryAfter));
    return { kind: 'attempted', job, attempt, status: 'retrying', nextAttemptAt: next, gone: false };
  }
}

function succeeded(result: SendResult): boolean {
  return result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
}

function header(headers: SendResult['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}
