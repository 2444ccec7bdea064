/**
 * "Send test event": a public event for one endpoint only, `webhook.test` unless the
 * request names another type of the catalogue, with the request's `data`. It is written
 * straight into the delivery tables (the message and one delivery, due now) in one
 * tenant transaction, and the delivery workers are woken through `herald_deliveries`
 * as it commits; from there it is signed, sent, retried and logged like any other
 * delivery. It never goes to the public topic: no other endpoint, read model or replay
 * ever sees it. The answer is the delivery itself, so a client can follow it.
 */
import { Inject, Injectable } from '@nestjs/common';
import {
  checkPublicEvent,
  newUlid,
  PublicEvent,
  PublicType,
  toPublicTimestamp,
  WEBHOOK_TEST_TYPE,
} from '@herald/contracts';
import { HERALD_CONFIG, HeraldConfig, withTenant } from '@herald/platform';
import { DataSource } from 'typeorm';
import { DELIVERIES_WAKE_CHANNEL } from '../../deliveries/replay-delivery/replay-delivery.handler';
import { deliveryColumns, DeliveryItemRow, deliveryItem } from '../../deliveries/shared/delivery.item';
import { runLengthSql } from '../../deliveries/shared/delivery-replay.sql';
import type { WebhookDeliveryResponseDto } from '../../deliveries/shared/delivery.response.dto';
import { ENDPOINT_DISABLED, ENDPOINT_NOT_FOUND, INVALID_TEST_EVENT } from '../../webhook-errors';
import type { SendTestEventRequestDto } from './send-test-event.request.dto';

export const TEST_EVENT_MESSAGE = 'This is a test event from Herald.';

/**
 * The test event for an endpoint, created now: `webhook.test` with `data`'s fields beside
 * `endpoint_id` and `message` (which it cannot replace), or another public type whose
 * data is `data`. Returns the reason when the event does not fit its type's schema.
 */
export function testEvent(
  endpointId: string,
  request: { type?: PublicType; data?: Record<string, unknown> } = {},
  now = new Date(),
): { event: PublicEvent } | { problem: string } {
  const type = request.type ?? WEBHOOK_TEST_TYPE;
  let data: Record<string, unknown>;
  if (type === WEBHOOK_TEST_TYPE) {
    const { endpoint_id: _id, message: _message, ...rest } = request.data ?? {};
    data = { endpoint_id: endpointId, message: TEST_EVENT_MESSAGE, ...rest };
  } else if (request.data === undefined) {
    return { problem: `data is required for a ${type} test event` };
  } else {
    data = request.data;
  }
  const event: PublicEvent = {
    id: `evt_${newUlid(now.getTime())}`,
    type,
    created_at: toPublicTimestamp(now.toISOString())!,
    data,
  };
  const problem = checkPublicEvent(event);
  return problem ? { problem } : { event };
}

/** The `webhook.test` event for an endpoint, created now. */
export function webhookTestEvent(endpointId: string, now = new Date()): PublicEvent {
  const made = testEvent(endpointId, {}, now);
  if ('problem' in made) throw new Error(`webhook.test event fails its public schema: ${made.problem}`);
  return made.event;
}

@Injectable()
export class SendTestEventHandler {
  constructor(
    private readonly ds: DataSource,
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
  ) {}

  async execute(
    tenant: string,
    endpointId: string,
    request: SendTestEventRequestDto = {},
  ): Promise<WebhookDeliveryResponseDto> {
    return withTenant(this.ds, tenant, async (em) => {
      const [row]: Array<{ active: boolean }> = await em.query(
        `SELECT active FROM webhook_endpoints WHERE tenant = $1 AND id = $2 FOR SHARE`,
        [tenant, endpointId],
      );
      if (!row) throw ENDPOINT_NOT_FOUND.error(`no webhook endpoint ${endpointId}`);
      if (!row.active)
        throw ENDPOINT_DISABLED.error(`webhook endpoint ${endpointId} is disabled; enable it first`);
      const made = testEvent(endpointId, request);
      if ('problem' in made) {
        throw INVALID_TEST_EVENT.error(made.problem, [{ field: 'data', reason: made.problem }]);
      }
      const { event } = made;
      const id = `dlv_${newUlid()}`;
      await em.query(
        `INSERT INTO webhook_messages (tenant, event_id, event_type, payload) VALUES ($1, $2, $3, $4)`,
        [tenant, event.id, event.type, JSON.stringify(event)],
      );
      const rows: DeliveryItemRow[] = await em.query(
        `WITH d AS (
           INSERT INTO webhook_deliveries (id, tenant, endpoint_id, event_id, event_type, max_attempts, next_attempt_at)
           VALUES ($2, $1, $3, $4, $5, ${runLengthSql('$1', '$6::int')}, now())
           RETURNING *)
         SELECT ${deliveryColumns('d')} FROM d`,
        [tenant, id, endpointId, event.id, event.type, Math.max(this.config.retrySchedule.length, 1)],
      );
      await em.query(`SELECT pg_notify($1, $2)`, [DELIVERIES_WAKE_CHANNEL, tenant]);
      return deliveryItem(rows[0]!);
    });
  }
}
