/**
 * What every typed command shares: the tenant it acts for, an optional idempotency key
 * (`event_id`) and an optional time of the fact (`occurred_at`), and how they become
 * the envelope of the internal event the command appends.
 */
import { formatMicros, InternalEvent, newUlid } from '@herald/contracts';

export interface CommandOptions {
  /**
   * UUID or ULID of the fact. Re-sending a command with the same id never creates a second
   * public event, because the public event id is derived from it.
   */
  event_id?: string;
  /** RFC 3339; defaults to now. */
  occurred_at?: string;
}

export type CommandEnvelope = CommandOptions & { tenant: string };

/** What a command answers: the internal event appended and the public event it will become. */
export interface CommandAccepted {
  id: string;
  kind: string;
  public_event_id: string;
}

/** `now` as RFC 3339 UTC with six fractional digits (JavaScript clocks stop at milliseconds). */
export function rfc3339Micros(now: Date): string {
  const ms = now.getTime();
  return formatMicros({ epochSeconds: Math.floor(ms / 1000), micros: (ms % 1000) * 1000 });
}

/** Wraps a command's `data` in the internal event envelope, minting the id and time when absent. */
export function internalEventOf(
  kind: string,
  command: CommandEnvelope,
  data: Record<string, unknown>,
  now: Date = new Date(),
): InternalEvent {
  return {
    id: command.event_id ?? newUlid(now.getTime()),
    tenant: command.tenant,
    kind,
    occurred_at: command.occurred_at ?? rfc3339Micros(now),
    data,
  };
}
