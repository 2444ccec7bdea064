/**
 * The base of every command handler: builds the internal event from the command and
 * appends it. A subclass names its kind; the event's `data` is exactly that kind's required
 * fields in the catalog, taken from the command, so nothing else of it (tenant, ids, extras)
 * slips in.
 */
import { Injectable } from '@nestjs/common';
import { InternalKind, kindSpec } from '@herald/contracts';
import { DomainError } from '@herald/platform';
import { EventAppender, UnknownTenantError } from '../append/event-appender';
import { CommandAccepted, CommandEnvelope, internalEventOf } from './command';

@Injectable()
export abstract class CommandHandler<C extends CommandEnvelope> {
  abstract readonly kind: InternalKind;

  constructor(private readonly appender: EventAppender) {}

  private data(command: C): Record<string, unknown> {
    const spec = kindSpec(this.kind);
    if (!spec) throw new Error(`${this.kind} is not in the event catalog`);
    const fields = command as unknown as Record<string, unknown>;
    return Object.fromEntries(Object.keys(spec.fields).map((name) => [name, fields[name]]));
  }

  async execute(command: C): Promise<CommandAccepted> {
    const event = internalEventOf(this.kind, command, this.data(command));
    const appended = await this.appender.append([event]).catch((err: unknown) => {
      if (err instanceof UnknownTenantError) {
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
