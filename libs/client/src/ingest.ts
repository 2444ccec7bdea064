/**
 * How product services append internal events to Herald: `POST /internal/v1/events` with
 * the service token. HeraldIngest is what services depend on; HeraldIngestClient talks to
 * Herald, FakeHeraldIngest (./fake) stands in for it in a service's own tests.
 */
import type { AppendableEvent } from './fake/validate-event';
import { Transport, TransportOptions } from './transport';

export interface AppendedEvent {
  id: string;
  /** The public event it becomes, or null for an internal-only kind. */
  public_event_id: string | null;
}

export interface AppendResult {
  accepted: number;
  events: AppendedEvent[];
}

/**
 * Appends events all or nothing. A refusal throws HeraldApiError: 400 `invalid_events` with
 * `details` listing `{index, reason}` for each bad event, 413 `too_many_events` past 1,000.
 */
export interface HeraldIngest {
  append(events: AppendableEvent | readonly AppendableEvent[]): Promise<AppendResult>;
}

export interface HeraldIngestClientOptions extends Omit<TransportOptions, 'token'> {
  /** HERALD_SERVICE_TOKEN of the deployment. */
  serviceToken: string;
}

export class HeraldIngestClient implements HeraldIngest {
  private readonly transport: Transport;

  constructor(options: HeraldIngestClientOptions) {
    const { serviceToken, ...rest } = options;
    this.transport = new Transport({ ...rest, token: serviceToken });
  }

  async append(events: AppendableEvent | readonly AppendableEvent[]): Promise<AppendResult> {
    const res = await this.transport.call<{ data: AppendResult }>(
      'POST',
      '/internal/v1/events',
      undefined,
      events,
      undefined,
    );
    return res.data;
  }
}
