/**
 * The delivery workers of one process. Deliveries arrive two ways: straight from the
 * dispatcher through the admission (already leased to this process, attempted at once) and
 * from the poller, which leases due retries, replays and orphans of dead workers. Each
 * delivery goes to its endpoint's lane; the attempt's outcome is written in batches.
 *
 * The parts: `DeliveryAdmission` decides what each lane may hold and what to claim,
 * `DeliveryLeases` keeps the leases of what is held, `AttemptRunner` makes one attempt and
 * `classifyAttempt` (retry policy) says what its answer means. This class starts and stops
 * them, polls, and writes what became of each job.
 */
import { randomBytes } from 'node:crypto';
import * as os from 'node:os';
import type { BreakerCounts, HeraldMetrics } from '@herald/platform';
import type { Logger } from 'pino';
import { AttemptRunner } from './attempt-runner';
import type { PacerClock } from './backlog-pacer';
import { DeliveryAdmission } from './delivery-admission';
import type { DeliveryJob, DeliveryOutcome } from './delivery-job';
import { DeliveryLeases } from './delivery-leases';
import { DeliveryMetrics } from './delivery-metrics';
import type { DeliverySettingsCache } from './delivery-settings';
import type { BreakerState, DeliveryStore } from './delivery-store';
import { BreakerSettings, EndpointLane } from './endpoint-lane';
import type { EndpointRegistry } from './endpoint-registry';
import { OutcomeWriter } from './outcome-writer';
import type { WebhookSender } from './webhook-sender';

export interface DeliveryWorkersOptions {
  endpointConcurrency: number;
  breaker: BreakerSettings;
  pollIntervalMs: number;
  /** Deliveries held (queued or in flight) by this process at most. */
  maxHeld?: number;
  renewEveryMs?: number;
  /** What a backlog may keep this process's event loop busy to while other endpoints' deliveries are on time (0–1; 1: unpaced). */
  backlogBusy?: number;
  /** The backlog pacer's clock (tests). */
  pacerClock?: PacerClock;
}

const PURGE_EVERY_MS = 30_000;
const IDLE_LANE_MS = 10 * 60_000;
/** How long a stopping process tries to record its open breakers as closed. */
const BREAKER_RECORD_ON_STOP_MS = 1_000;

export class DeliveryWorkers {
  readonly owner = `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  /** What the dispatcher hands new deliveries to. */
  readonly admission: DeliveryAdmission;
  private readonly leases: DeliveryLeases;
  private readonly runner: AttemptRunner;
  private readonly writer: OutcomeWriter;
  private readonly counted: DeliveryMetrics | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private pollAgain = false;
  private lastPurge = 0;
  private stopped = true;
  private readonly writtenListeners = new Set<(batch: DeliveryOutcome[]) => void>();

  constructor(
    private readonly store: DeliveryStore,
    endpoints: EndpointRegistry,
    settings: DeliverySettingsCache,
    sender: WebhookSender,
    private readonly opts: DeliveryWorkersOptions,
    private readonly logger: Logger,
    metrics?: HeraldMetrics,
  ) {
    this.counted = metrics ? new DeliveryMetrics(metrics) : undefined;
    this.writer = new OutcomeWriter(store, this.owner, logger, (batch) => {
      this.counted?.record(batch);
      for (const l of this.writtenListeners) l(batch);
    });
    this.runner = new AttemptRunner(endpoints, settings, sender, logger);
    this.leases = new DeliveryLeases(
      store,
      this.owner,
      settings,
      opts.renewEveryMs ?? 3000,
      logger,
      (match) => this.admission.unqueue(match),
    );
    this.admission = new DeliveryAdmission(
      this.owner,
      this.leases,
      {
        endpointConcurrency: opts.endpointConcurrency,
        maxHeld: opts.maxHeld ?? 5000,
        backlogBusy: opts.backlogBusy,
        pacerClock: opts.pacerClock,
      },
      (endpointId) => this.newLane(endpointId),
      (job) => this.writer.push({ kind: 'released', job }),
      () => this.wake(),
    );
    metrics?.addBreakerSource(() => this.breakerCounts());
    metrics?.addBacklogPaceSource(() => {
      const { pacing, rate } = this.admission.pacing;
      return pacing ? Math.round(rate) : 0;
    });
  }

  /** Observes outcomes once they are durable. */
  onOutcomes(listener: (batch: DeliveryOutcome[]) => void): () => void {
    this.writtenListeners.add(listener);
    return () => this.writtenListeners.delete(listener);
  }

  start(): void {
    this.stopped = false;
    this.admission.open();
    this.pollTimer = setInterval(() => this.wake(), this.opts.pollIntervalMs);
    this.leases.start();
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

  /** Stops taking work, lets attempts in flight finish (up to `graceMs`), hands queued ones back. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.admission.close();
    if (this.pollTimer) clearInterval(this.pollTimer);
    await this.polling;
    for (const job of this.admission.unqueue(() => true)) this.writer.push({ kind: 'released', job });
    const deadline = Date.now() + graceMs;
    while (this.leases.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    this.leases.stop();
    await this.writer.flush();
    // The breakers end with this process; another one starts its own, closed. Best effort, and
    // bounded: a database that does not answer must not hold up the shutdown.
    const stillOpen = this.admission.laneList.filter((l) => !l.breaker.closed).map((l) => l.endpointId);
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
    this.admission.shutdownLanes();
  }

  /** The breakers of the endpoints this process has attempted lately (idle lanes are let go), by state. */
  breakerCounts(): BreakerCounts {
    const counts: BreakerCounts = { closed: 0, open: 0, half_open: 0 };
    for (const lane of this.admission.laneList) {
      if (lane.breaker.opened) counts.open++;
      else if (lane.breaker.halfOpen) counts.half_open++;
      else counts.closed++;
    }
    return counts;
  }

  get heldCount(): number {
    return this.leases.size;
  }

  /** What became of a job its lane is done with: recorded, and its slot given back. */
  private finish(outcome: DeliveryOutcome): void {
    this.admission.settled(outcome);
    this.writer.push(outcome);
    // Retries due sooner than the next poll would find them are looked for on time.
    const next = outcome.kind === 'attempted' || outcome.kind === 'deferred' ? outcome.nextAttemptAt : null;
    if (next) {
      const inMs = next.getTime() - Date.now();
      if (inMs < this.opts.pollIntervalMs) setTimeout(() => this.wake(), Math.max(inMs, 0) + 20).unref();
    }
  }

  private newLane(endpointId: string): EndpointLane {
    const lane = new EndpointLane(
      endpointId,
      this.opts.endpointConcurrency,
      this.opts.breaker,
      (job, l) => this.runner.run(job, l),
      (outcome) => this.finish(outcome),
      (l) => this.admission.gate(l),
    );
    // Its deliveries waited in the table while the breaker was open; the probe is one of them.
    lane.breaker.on('halfOpen', () => {
      this.breakerChanged(endpointId, 'half_open');
      this.wake();
    });
    lane.breaker.on('open', () => this.breakerChanged(endpointId, 'open'));
    lane.breaker.on('close', () => this.breakerChanged(endpointId, 'closed'));
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
        const plan = this.admission.claimPlan();
        if (plan.total <= 0 || this.stopped) return;
        // Released deliveries not yet written back still carry this worker's lease, so the
        // claim passes over them; a later poll finds them.
        const jobs: DeliveryJob[] = await this.store.claimDue(
          this.owner,
          plan.total,
          plan.rooms,
          plan.unlisted,
        );
        this.counted?.claimed(jobs.length);
        this.admission.claimed(jobs, plan);
        // Short of the total, every endpoint got all it had room for or all it had due.
        if (jobs.length < plan.total) break;
      }
      await this.housekeeping();
    } catch (err) {
      this.logger.error({ err }, 'claiming due deliveries failed');
    }
  }

  private async housekeeping(): Promise<void> {
    const now = Date.now();
    if (now - this.lastPurge >= PURGE_EVERY_MS) {
      this.lastPurge = now;
      await this.store.purgeExpiredPreviousSecrets();
    }
    this.admission.retireIdle(IDLE_LANE_MS, now);
  }
}
