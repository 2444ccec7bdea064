/**
 * The Prometheus metrics of one process (served at GET /metrics). One registry per
 * application rather than prom-client's global one, so several apps in one process (tests,
 * benches) keep their counts apart. Every metric is defined here, so the names, labels and
 * their bounds can be read in one place: no label ever carries a tenant, endpoint or event
 * id. Hot paths only increment (by a batch's count where they can); what must be read from
 * elsewhere (consumer lag, breakers, backlog age, projection lag) is sampled at scrape time
 * by the sources the roles register, and the costly ones at most once per SAMPLE_EVERY_MS.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Logger } from 'pino';

/** Sources that query Postgres or Kafka are asked at most this often, however often a scraper calls. */
export const SAMPLE_EVERY_MS = 5000;

/** What one webhook attempt came to, by class rather than exact status. */
export type AttemptClass = '1xx' | '2xx' | '3xx' | '4xx' | '5xx' | 'network' | 'timeout';
export const ATTEMPT_CLASSES: readonly AttemptClass[] = [
  '1xx',
  '2xx',
  '3xx',
  '4xx',
  '5xx',
  'network',
  'timeout',
];

/** Where a delivery stands after one outcome is written (see DeliveryOutcome). */
export type DeliveryOutcomeLabel = 'succeeded' | 'retrying' | 'dead' | 'deferred' | 'cancelled' | 'released';
export const DELIVERY_OUTCOMES: readonly DeliveryOutcomeLabel[] = [
  'succeeded',
  'retrying',
  'dead',
  'deferred',
  'cancelled',
  'released',
];

export type BreakerState = 'closed' | 'open' | 'half_open';
export type BreakerCounts = Record<BreakerState, number>;

export interface Sample<L extends string> {
  labels: Partial<Record<L, string | number>>;
  value: number;
}
type Source<L extends string> = () => Promise<Array<Sample<L>>> | Array<Sample<L>>;

export class HeraldMetrics {
  readonly registry = new Registry();

  readonly eventsAppended = new Counter({
    name: 'herald_events_appended_total',
    help: 'Internal events appended to their topics through the internal API.',
    registers: [this.registry],
  });
  readonly eventsTranslated = new Counter({
    name: 'herald_events_translated_total',
    help: 'Public events the translator published.',
    registers: [this.registry],
  });
  readonly eventsDropped = new Counter<'reason'>({
    name: 'herald_events_dropped_total',
    help: 'Internal events the translator did not publish: internal_only kinds, repeat of a first-only kind.',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly deadLettered = new Counter<'group'>({
    name: 'herald_events_dead_lettered_total',
    help: 'Messages a consumer group could not decode or validate and sent to the dead-letter topic.',
    labelNames: ['group'],
    registers: [this.registry],
  });
  readonly passedOver = new Counter<'group'>({
    name: 'herald_consumer_records_passed_over_total',
    help: 'Records a consumer group read past instead of in order (it was far behind), to be read again and handled between its calls.',
    labelNames: ['group'],
    registers: [this.registry],
  });
  readonly deliveriesClaimed = new Counter({
    name: 'herald_webhook_deliveries_claimed_total',
    help: 'Webhook deliveries the delivery workers claimed from the table (left there for want of room in their lane, due for a retry, or leased to a process that stopped) rather than took from the dispatcher.',
    registers: [this.registry],
  });
  readonly deliveryOutcomes = new Counter<'outcome'>({
    name: 'herald_webhook_delivery_outcomes_total',
    help: 'Webhook delivery outcomes written: succeeded, retrying, dead (attempts); deferred, cancelled, released (no attempt).',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  readonly attemptDuration = new Histogram<'status_class'>({
    name: 'herald_webhook_attempt_duration_seconds',
    help: 'Time from sending a webhook attempt to its answer (or failure), by status class, network or timeout.',
    labelNames: ['status_class'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly readCache = new Counter<'result'>({
    name: 'herald_read_cache_requests_total',
    help: 'Cacheable public reads: hit (answered from the read cache) or miss (read from Postgres).',
    labelNames: ['result'],
    registers: [this.registry],
  });

  private readonly consumerLag = this.sampled<'group' | 'topic' | 'partition'>(
    'herald_consumer_lag_messages',
    "Log end offset minus the group's committed offset, per partition, for the groups this process runs.",
    ['group', 'topic', 'partition'],
  );
  private readonly projectionLag = this.sampled<'projection' | 'partition'>(
    'herald_projection_lag_messages',
    "Log end offset of the public topic minus the projection's checkpoint, per partition.",
    ['projection', 'partition'],
  );
  private readonly breakers = this.sampled<'state'>(
    'herald_webhook_breakers',
    "Endpoint circuit breakers of this process's delivery workers, by state.",
    ['state'],
  );
  private readonly backlogPace = this.sampled<never>(
    'herald_webhook_backlog_pace',
    "Attempts per second this process's delivery workers allow endpoints with a backlog while other endpoints' deliveries are on time (0: backlogs not paced).",
    [],
  );
  private readonly oldestPending = this.sampled<never>(
    'herald_webhook_oldest_pending_delivery_age_seconds',
    'Age of the oldest webhook delivery still pending or retrying, across tenants (0 when none).',
    [],
  );

  constructor(private readonly logger?: Logger) {
    collectDefaultMetrics({ register: this.registry });
    for (const reason of ['internal_only', 'repeat']) this.eventsDropped.inc({ reason }, 0);
    for (const result of ['hit', 'miss']) this.readCache.inc({ result }, 0);
  }

  /** The exposition text and its content type. */
  async scrape(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }

  /** Consumer lag samples (group, topic, partition); call with a throttled source. */
  addConsumerLagSource(source: Source<'group' | 'topic' | 'partition'>): void {
    this.consumerLag.add(source);
  }

  addProjectionLagSource(source: Source<'projection' | 'partition'>): void {
    this.projectionLag.add(source);
  }

  /** Breaker counts of one set of delivery workers; summed over every source. */
  addBreakerSource(source: () => BreakerCounts): void {
    this.breakers.add(() => {
      const c = source();
      return (Object.keys(c) as BreakerState[]).map((state) => ({ labels: { state }, value: c[state] }));
    });
  }

  /** The budget of attempts per second of endpoints with a backlog while paced (0: not paced). */
  addBacklogPaceSource(source: () => number): void {
    this.backlogPace.add(() => [{ labels: {}, value: source() }]);
  }

  /** The oldest pending delivery's age in seconds (null: none pending). */
  addOldestPendingSource(source: () => Promise<number | null>): void {
    this.oldestPending.add(async () => [{ labels: {}, value: (await source()) ?? 0 }]);
  }

  /**
   * A gauge whose samples come from sources asked at scrape time, registered with the first
   * source (a process without delivery workers shows no breaker gauge). Samples with the
   * same labels from two sources add up (two sets of delivery workers in one process); a
   * source that fails contributes nothing to that scrape (NaN for a gauge without labels),
   * so a missing series says it failed.
   */
  private sampled<L extends string>(
    name: string,
    help: string,
    labelNames: L[],
  ): { add(source: Source<L>): void } {
    const sources: Array<Source<L>> = [];
    const logger = this.logger;
    const registry = this.registry;
    let gauge: Gauge<L> | undefined;
    return {
      add: (source) => {
        sources.push(source);
        gauge ??= new Gauge<L>({
          name,
          help,
          labelNames,
          registers: [registry],
          async collect() {
            this.reset();
            let failed = false;
            const results = await Promise.all(
              sources.map(async (s) => {
                try {
                  return await s();
                } catch (err) {
                  failed = true;
                  logger?.warn({ err, metric: name }, 'a metrics source failed; its samples are left out');
                  return [];
                }
              }),
            );
            for (const samples of results) for (const s of samples) this.inc(s.labels, s.value);
            // A gauge without labels always shows a sample: NaN rather than a believable 0.
            if (failed && labelNames.length === 0) this.set(NaN);
          },
        });
      },
    };
  }
}

/**
 * Wraps a costly source: its last answer is reused for `everyMs`, and scrapes that arrive
 * while it is being asked share that one call.
 */
export function throttled<T>(source: () => Promise<T>, everyMs = SAMPLE_EVERY_MS): () => Promise<T> {
  let last: { at: number; value: T } | undefined;
  let pending: Promise<T> | undefined;
  return () => {
    if (last && performance.now() - last.at < everyMs) return Promise.resolve(last.value);
    pending ??= source()
      .then((value) => {
        last = { at: performance.now(), value };
        return value;
      })
      .finally(() => (pending = undefined));
    return pending;
  };
}

/** The status class of an attempt: its HTTP status class, or how it failed without one. */
export function attemptClass(statusCode: number | null, error: string | null): AttemptClass {
  if (statusCode === null) return error?.startsWith('timeout') ? 'timeout' : 'network';
  const c = Math.floor(statusCode / 100);
  return c >= 1 && c <= 5 ? (`${c}xx` as AttemptClass) : 'network';
}
