/**
 * The base of every command handler: builds the internal event from the command and
 * appends it. A subclass names its kind and how the command becomes the event's `data`.
 */
import { Injectable } from '@nestjs/common';
import { DomainError } from '@herald/platform';
import { EventAppender } from '../append/event-appender';
import { CommandAccepted, CommandEnvelope, internalEventOf } from './command';

@Injectable()
export abstract class CommandHandler<C extends CommandEnvelope> {
  abstract readonly kind: string;

  constructor(private readonly appender: EventAppender) {}

  protected abstract data(command: C): Record<string, unknown>;

  async execute(command: C): Promise<CommandAccepted> {
    const event = internalEventOf(this.kind, command, this.data(command));
    const appended = await this.appender.append([event]).catch((err: unknown) => {
      if (isUnknownTenant(err)) {
        throw new DomainError(
          'tenant_not_found',
          `tenant ${JSON.stringify(command.tenant)} does not exist`,
          404,
        );
      }
      throw err;
    });
    const publicId = appended[0]?.public_event_id;
    // Every command is of a published kind, so the appender always derives a public id.
    if (!publicId) throw new Error(`no public event id for ${this.kind} ${event.id}`);
    return { id: event.id, kind: this.kind, public_event_id: publicId };
  }
}

/** The appender reports an unknown tenant as one bad item of a batch; for a command it is a missing resource. */
function isUnknownTenant(err: unknown): boolean {
  return (
    err instanceof DomainError &&
    err.code === 'invalid_events' &&
    Array.isArray(err.details) &&
    err.details.some(
      (d: unknown) =>
        typeof d === 'object' &&
        d !== null &&
        typeof (d as { reason?: unknown }).reason === 'string' &&
        (d as { reason: string }).reason.startsWith('unknown tenant'),
    )
  );
}
