/**
 * One attempt at one delivery: reload its endpoint and its tenant's settings, make sure the
 * lease outlasts the attempt, sign, send through the endpoint's breaker, and say what became
 * of it. What an answer means is the retry policy's call (`classifyAttempt`); this only
 * gathers what the attempt log keeps.
 */
import type { Logger } from 'pino';
import { webhookHeaders } from '../signing/webhook-headers';
import type { DeliveryJob, DeliveryOutcome } from './delivery-job';
import type { DeliverySettingsCache } from './delivery-settings';
import type { EndpointLane } from './endpoint-lane';
import { AttemptFailed } from './endpoint-lane';
import type { EndpointRegistry, LiveEndpoint } from './endpoint-registry';
import { LEASE_SAFETY_MS } from './delivery-leases';
import { classifyAttempt, isSuccess } from './retry-policy';
import type { SendResult, WebhookSender } from './webhook-sender';

interface Sent {
  result: SendResult;
  headers: Record<string, string>;
}

export class AttemptRunner {
  constructor(
    private readonly endpoints: EndpointRegistry,
    private readonly settings: DeliverySettingsCache,
    private readonly sender: WebhookSender,
    private readonly logger: Logger,
  ) {}

  /** Never rejects: a job that could not be attempted is handed back (`released`). */
  async run(job: DeliveryJob, lane: EndpointLane): Promise<DeliveryOutcome> {
    try {
      const [endpoint, settings] = await Promise.all([
        this.endpoints.get([job.endpointId]).then((m) => m.get(job.endpointId) ?? null),
        this.settings.forTenant(job.tenant),
      ]);
      if (!endpoint || !endpoint.active) return { kind: 'cancelled', job };
      if (job.leaseUntil - Date.now() < settings.attemptTimeoutMs + LEASE_SAFETY_MS) {
        return { kind: 'released', job };
      }
      let sent: Sent;
      const at = new Date();
      try {
        sent = (await lane.breaker.fire(async () => {
          const out = await this.send(job, endpoint, settings.attemptTimeoutMs, lane);
          if (!isSuccess(out.result.statusCode)) throw new AttemptFailed(out);
          return out;
        })) as Sent;
      } catch (err) {
        // The breaker refused (open, or a probe is already out): not an attempt.
        if (!(err instanceof AttemptFailed)) return { kind: 'deferred', job, nextAttemptAt: lane.reopenAt() };
        sent = err.result as Sent;
      }
      const n = job.attemptCount + 1;
      const verdict = classifyAttempt(
        sent.result,
        { made: n, max: job.maxAttempts, schedule: settings.retrySchedule },
        Date.now(),
      );
      const { result, headers } = sent;
      return {
        kind: 'attempted',
        job,
        attempt: {
          n,
          at,
          statusCode: result.statusCode,
          latencyMs: result.latencyMs,
          responseBody: result.body,
          error: verdict.error,
          requestHeaders: headers,
        },
        status: verdict.status,
        nextAttemptAt: verdict.nextAttemptAt,
        gone: verdict.gone,
      };
    } catch (err) {
      this.logger.error({ err, delivery: job.id }, 'delivery attempt could not run; handing it back');
      return { kind: 'released', job };
    }
  }

  private async send(
    job: DeliveryJob,
    endpoint: LiveEndpoint,
    timeoutMs: number,
    lane: EndpointLane,
  ): Promise<Sent> {
    const headers = webhookHeaders(endpoint.scheme, endpoint.keys, {
      eventId: job.eventId,
      eventType: job.eventType,
      deliveryId: job.id,
      body: job.payload,
      timestamp: Math.floor(Date.now() / 1000),
    });
    lane.sending(job);
    const result = await this.sender.send(endpoint.url, headers, job.payload, timeoutMs);
    lane.answered(job);
    return { result, headers };
  }
}
