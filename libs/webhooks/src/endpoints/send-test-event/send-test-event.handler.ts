/**
 * "Send test event": publishes a `webhook.test` public event naming one endpoint to the
 * public topic. The dispatcher routes it to that endpoint only, through the same
 * delivery pipeline (signing, retries, attempt log) as every other event. Never stored
 * in the events read model.
 */
import { Injectable } from '@nestjs/common';
import {
  checkPublicEvent,
  newUlid,
  PublicEvent,
  toPublicTimestamp,
  Topics,
  WEBHOOK_TEST_TYPE,
} from '@herald/contracts';
import { KafkaService, PublicHeaders, readAsTenant } from '@herald/platform';
import { DataSource } from 'typeorm';
import { ENDPOINT_DISABLED, ENDPOINT_NOT_FOUND } from '../../webhook-errors';
import type { TestEventResponseDto } from './send-test-event.response.dto';

export const TEST_EVENT_MESSAGE = 'This is a test event from Herald.';

/** The `webhook.test` event for an endpoint, created now. */
export function webhookTestEvent(endpointId: string, now = new Date()): PublicEvent {
  const event: PublicEvent = {
    id: `evt_${newUlid(now.getTime())}`,
    type: WEBHOOK_TEST_TYPE,
    created_at: toPublicTimestamp(now.toISOString())!,
    data: { endpoint_id: endpointId, message: TEST_EVENT_MESSAGE },
  };
  const problem = checkPublicEvent(event);
  if (problem) throw new Error(`webhook.test event fails its public schema: ${problem}`);
  return event;
}

@Injectable()
export class SendTestEventHandler {
  constructor(
    private readonly ds: DataSource,
    private readonly kafka: KafkaService,
  ) {}

  async execute(tenant: string, endpointId: string): Promise<TestEventResponseDto> {
    const [row] = await readAsTenant<{ active: boolean }>(
      this.ds,
      tenant,
      `SELECT active FROM webhook_endpoints WHERE tenant = $1 AND id = $2`,
      [tenant, endpointId],
      { prepare: true },
    );
    if (!row) throw ENDPOINT_NOT_FOUND.error(`no webhook endpoint ${endpointId}`);
    if (!row.active)
      throw ENDPOINT_DISABLED.error(`webhook endpoint ${endpointId} is disabled; enable it first`);
    const event = webhookTestEvent(endpointId);
    await this.kafka.producer.send(Topics.publicEvents, [
      {
        key: `${tenant}:${endpointId}`,
        value: JSON.stringify(event),
        headers: { [PublicHeaders.tenant]: tenant },
      },
    ]);
    return { event_id: event.id };
  }
}
