/**
 * `herald replay deliveries`: re-delivers history to one webhook endpoint by reading the
 * public topic again. Every public event of the tenant created in the window that the
 * endpoint subscribes to (the dispatcher's matching, payload filters included) is sent to
 * it again: a delivery is created where there was none (the endpoint was disabled, or
 * created after the event), an existing one is replayed as a single replay would. Still
 * one delivery per (event, endpoint): running it twice sends again, it never duplicates.
 * `webhook.test` events are never replayed.
 */
import { formatMicros, toPublicTimestamp, Topics, WEBHOOK_TEST_TYPE } from '@herald/contracts';
import {
  decodePublicRecord,
  offsetRangesByTime,
  PublicRecord,
  RangeProgress,
  readOffsetRanges,
  TENANT_NOT_FOUND,
  TenantsRepository,
} from '@herald/platform';
import type { Kafka, KafkaMessage } from '@herald/platform';
import type { DataSource } from 'typeorm';
import type { EndpointFilters } from '../../endpoints/endpoint';
import { recipients, Subscriber } from '../../dispatcher/subscription';
import { ENDPOINT_DISABLED, ENDPOINT_NOT_FOUND } from '../../webhook-errors';
import { replayBatch, ReplayItem } from './replay-batch';
import type { ReplayWindow } from './replay-window';

export const REPLAY_DELIVERIES_GROUP_PREFIX = 'herald.replay-deliveries';

/**
 * Records sit in the log by publish time, the window is on `created_at` (when the fact
 * occurred): the log is read this much wider on both sides so that translation lag and
 * clock skew between services lose nothing. The window itself is applied exactly.
 */
export const LOG_SLACK_MS = 5 * 60_000;

/** Events matched in one statement. */
const BATCH_SIZE = 500;
/** A partial batch waits at most this long, so workers start on a slow replay's events early. */
const FLUSH_AFTER_MS = 1_000;

/**
 * The dispatcher skips events older than the endpoint (a new endpoint is not flooded with
 * history); an operator replaying history asks for exactly that, so the rule is lifted.
 */
const BEFORE_ANY_EVENT = new Date(-8.64e15);

export interface ReplayDeliveriesResult {
  tenant: string;
  endpoint: string;
  from: string;
  /** `--to-time`, or when the log's end offsets were taken. */
  to: string;
  /** Records read from the topic (every tenant's). */
  scanned: number;
  /** Events of the tenant in the window that the endpoint subscribes to. */
  matched: number;
  /** Deliveries created (the event had none for this endpoint). */
  created: number;
  /** Deliveries that existed and were sent again (or were being attempted already). */
  reset: number;
}

export type ReplayDeliveriesProgress = RangeProgress;

interface EndpointRow {
  active: boolean;
  events: string[];
  filters: EndpointFilters;
}

export class ReplayDeliveriesHandler {
  constructor(
    private readonly ds: DataSource,
    private readonly kafka: Kafka,
    /** The deployment's retry schedule (HERALD_RETRY_SCHEDULE), for tenants without their own. */
    private readonly defaultSchedule: readonly number[],
  ) {}

  async execute(
    tenant: string,
    endpointId: string,
    window: ReplayWindow,
    onProgress?: (p: ReplayDeliveriesProgress) => void,
  ): Promise<ReplayDeliveriesResult> {
    const endpoint = await this.activeEndpoint(tenant, endpointId);
    const subscriber: Subscriber = {
      id: endpointId,
      events: endpoint.events,
      filters: endpoint.filters,
      createdAt: BEFORE_ANY_EVENT,
    };
    const topic = Topics.publicEvents;
    const to = window.to ?? publicNow();
    const admin = this.kafka.admin();
    await admin.connect();
    const ranges = await offsetRangesByTime(
      admin,
      topic,
      window.fromMs - LOG_SLACK_MS,
      window.toMs === undefined ? undefined : window.toMs + LOG_SLACK_MS,
    ).finally(() => admin.disconnect());

    const result: ReplayDeliveriesResult = {
      tenant,
      endpoint: endpointId,
      from: window.from,
      to,
      scanned: 0,
      matched: 0,
      created: 0,
      reset: 0,
    };
    // An event appended twice (at-least-once upstream) is sent once, not replayed twice.
    const seen = new Set<string>();
    let pending: ReplayItem[] = [];
    let flushedAt = Date.now();
    const flush = async (): Promise<void> => {
      flushedAt = Date.now();
      if (pending.length === 0) return;
      const batch = pending;
      pending = [];
      const created = await replayBatch(this.ds, tenant, endpointId, batch, this.defaultSchedule.length);
      result.created += created;
      result.reset += batch.length - created;
    };

    await readOffsetRanges(this.kafka, topic, ranges, {
      groupPrefix: REPLAY_DELIVERIES_GROUP_PREFIX,
      onProgress,
      onMessages: async (_partition, messages) => {
        for (const message of messages) {
          result.scanned++;
          const item = matchOf(message, tenant, window, subscriber);
          if (!item || seen.has(item.eventId)) continue;
          seen.add(item.eventId);
          result.matched++;
          pending.push(item);
          if (pending.length >= BATCH_SIZE) await flush();
        }
        if (Date.now() - flushedAt >= FLUSH_AFTER_MS) await flush();
      },
    });
    await flush();
    return result;
  }

  /** Refuses an unknown tenant, an endpoint not of this tenant and a disabled one. */
  private async activeEndpoint(tenant: string, endpointId: string): Promise<EndpointRow> {
    if (!(await new TenantsRepository(this.ds).exists(tenant))) {
      throw TENANT_NOT_FOUND.error(`tenant ${tenant} not found`);
    }
    const rows: EndpointRow[] = await this.ds.query(
      `SELECT active, events, filters FROM webhook_endpoints WHERE tenant = $1 AND id = $2`,
      [tenant, endpointId],
    );
    const row = rows[0];
    // Another tenant's endpoint is as absent as one that never existed.
    if (!row) throw ENDPOINT_NOT_FOUND.error(`endpoint ${endpointId} not found in tenant ${tenant}`);
    if (!row.active) {
      throw ENDPOINT_DISABLED.error(
        `endpoint ${endpointId} of tenant ${tenant} is disabled; enable it first`,
      );
    }
    return row;
  }
}

/** The item to replay when the record is an event of the tenant, in the window, for the endpoint. */
function matchOf(
  message: KafkaMessage,
  tenant: string,
  window: ReplayWindow,
  subscriber: Subscriber,
): ReplayItem | undefined {
  let record: PublicRecord;
  try {
    record = decodePublicRecord(message);
  } catch {
    // Undecodable: the dispatcher dead-lettered it and never delivered it; neither does this.
    return undefined;
  }
  const { event } = record;
  if (record.tenant !== tenant || event.type === WEBHOOK_TEST_TYPE) return undefined;
  const createdAt = toPublicTimestamp(event.created_at);
  if (createdAt === undefined || createdAt < window.from) return undefined;
  if (window.to !== undefined && createdAt >= window.to) return undefined;
  const body = event as unknown as Record<string, unknown>;
  if (recipients({ type: event.type, createdAt: event.created_at, body }, [subscriber]).length === 0) {
    return undefined;
  }
  return { eventId: event.id, eventType: event.type, payload: message.value?.toString('utf8') ?? '' };
}

function publicNow(): string {
  const ms = Date.now();
  return formatMicros({ epochSeconds: Math.floor(ms / 1000), micros: (ms % 1000) * 1000 });
}
