/**
 * Counts written delivery outcomes and claimed deliveries, and times attempts, by outcome
 * and status class only: no tenant or endpoint label, so the series stay few however many
 * endpoints there are. Called once per written batch or claim; the label children are
 * looked up once, here.
 */
import {
  ATTEMPT_CLASSES,
  AttemptClass,
  attemptClass,
  DELIVERY_OUTCOMES,
  DeliveryOutcomeLabel,
  HeraldMetrics,
} from '@herald/platform';
import type { DeliveryOutcome } from './delivery-job';

export class DeliveryMetrics {
  private readonly outcomes = new Map<DeliveryOutcomeLabel, { inc(n: number): void }>();
  private readonly durations = new Map<AttemptClass, { observe(seconds: number): void }>();
  private readonly claimedFromTable: { inc(n: number): void };

  /** Every series is shown from the start (at 0), so a rate over the first scrapes is right. */
  constructor(metrics: HeraldMetrics) {
    for (const o of DELIVERY_OUTCOMES) {
      const counter = metrics.deliveryOutcomes.labels(o);
      counter.inc(0);
      this.outcomes.set(o, counter);
    }
    for (const c of ATTEMPT_CLASSES) {
      metrics.attemptDuration.zero({ status_class: c });
      this.durations.set(c, metrics.attemptDuration.labels(c));
    }
    this.claimedFromTable = metrics.deliveriesClaimed;
    this.claimedFromTable.inc(0);
  }

  /** Deliveries a claim took from the table. */
  claimed(n: number): void {
    this.claimedFromTable.inc(n);
  }

  record(batch: readonly DeliveryOutcome[]): void {
    let succeeded = 0;
    let retrying = 0;
    let dead = 0;
    let deferred = 0;
    let cancelled = 0;
    let released = 0;
    for (const o of batch) {
      switch (o.kind) {
        case 'attempted':
          if (o.status === 'succeeded') succeeded++;
          else if (o.status === 'retrying') retrying++;
          else dead++;
          this.durations
            .get(attemptClass(o.attempt.statusCode, o.attempt.error))
            ?.observe(o.attempt.latencyMs / 1000);
          break;
        case 'deferred':
          deferred++;
          break;
        case 'cancelled':
          cancelled++;
          break;
        case 'released':
          released++;
          break;
      }
    }
    const counts: Record<DeliveryOutcomeLabel, number> = {
      succeeded,
      retrying,
      dead,
      deferred,
      cancelled,
      released,
    };
    for (const o of DELIVERY_OUTCOMES) if (counts[o] > 0) this.outcomes.get(o)?.inc(counts[o]);
  }
}
