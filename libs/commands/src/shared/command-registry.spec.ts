/**
 * Keeps the typed commands and the event catalog in step: one command per published kind,
 * each DTO accepting exactly the kind's required data (plus event_id and occurred_at), and
 * each handler appending an event the contract validates.
 */
import 'reflect-metadata';
import { PATH_METADATA } from '@nestjs/common/constants';
import type { Type } from '@nestjs/common';
import {
  FieldType,
  InternalEvent,
  KIND_SPECS,
  kindSpec,
  publicEventId,
  validateInternalEvent,
} from '@herald/contracts';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validate } from 'class-validator';
import type { EventAppender } from '../append/event-appender';
import { COMMAND_CONTROLLERS, COMMAND_HANDLERS } from '../command-controllers';
import type { CommandHandler } from './command.handler';
import type { CommandEnvelope } from './command';

function sample(type: FieldType): unknown {
  switch (type.t) {
    case 'id':
      return 7;
    case 'integer':
      return 3;
    case 'string':
      return 'some text';
    case 'enum':
      return type.values[type.values.length - 1];
    case 'datetime-or-null':
      return '2026-12-01T00:00:00Z';
    case 'number-or-null':
      return 87.5;
  }
}

interface Wiring {
  route: string;
  dto: Type<object>;
  handler: Type<CommandHandler<CommandEnvelope>>;
}

function wiring(controller: Type<unknown>): Wiring {
  const proto = controller.prototype as object;
  const methods = Object.getOwnPropertyNames(proto).filter((n) => n !== 'constructor');
  expect(methods).toHaveLength(1);
  const params = Reflect.getMetadata('design:paramtypes', proto, methods[0]!) as Array<Type<object>>;
  const ctor = Reflect.getMetadata('design:paramtypes', controller) as Array<
    Type<CommandHandler<CommandEnvelope>>
  >;
  return {
    route: Reflect.getMetadata(PATH_METADATA, controller) as string,
    dto: params[1]!,
    handler: ctor[0]!,
  };
}

function capturingAppender(): { appender: EventAppender; events: InternalEvent[] } {
  const events: InternalEvent[] = [];
  const appender = {
    append: async (raw: readonly unknown[]) => {
      const batch = raw as InternalEvent[];
      events.push(...batch);
      return batch.map((e) => ({ id: e.id, public_event_id: publicEventId(e.tenant, e.id) }));
    },
  } as unknown as EventAppender;
  return { appender, events };
}

const options = { whitelist: true, forbidNonWhitelisted: true };

async function errorsOf(dto: Type<object>, body: Record<string, unknown>): Promise<string[]> {
  const errors = await validate(plainToInstance(dto, body), options);
  return errors.map((e) => e.property);
}

const commands = COMMAND_CONTROLLERS.map((c) => ({ name: c.name, ...wiring(c) }));

describe('typed commands', () => {
  it('cover every published kind exactly once, each on its own route and with its handler registered', () => {
    const kinds = commands.map((c) => new c.handler(capturingAppender().appender).kind);
    expect([...kinds].sort()).toEqual(KIND_SPECS.map((s) => s.kind).sort());
    expect(new Set(commands.map((c) => c.route)).size).toBe(commands.length);
    for (const c of commands) {
      expect(c.route).toMatch(
        /^internal\/v1\/tenants\/:tenant\/(accounts|forum|moderation|help|learn|know)\/[a-z-]+$/,
      );
      expect(COMMAND_HANDLERS).toContain(c.handler);
    }
    expect(COMMAND_HANDLERS).toHaveLength(commands.length);
  });

  describe.each(commands)('$name', ({ dto, handler }) => {
    const { appender, events } = capturingAppender();
    const h = new handler(appender);
    const spec = kindSpec(h.kind)!;
    const body = Object.fromEntries(Object.entries(spec.fields).map(([name, f]) => [name, sample(f.type)]));

    it('validates exactly the required data of its kind, plus event_id and occurred_at', async () => {
      const props = new Set(
        getMetadataStorage()
          .getTargetValidationMetadatas(dto, '', false, false)
          .map((m) => m.propertyName),
      );
      expect([...props].sort()).toEqual([...Object.keys(spec.fields), 'event_id', 'occurred_at'].sort());
      expect(await errorsOf(dto, body)).toEqual([]);
      for (const name of Object.keys(spec.fields)) {
        const { [name]: _gone, ...missing } = body;
        expect(await errorsOf(dto, missing)).toEqual([name]);
      }
      expect(await errorsOf(dto, { ...body, extra: 1 })).toEqual(['extra']);
    });

    it('rejects wrong types and accepts null only where the catalog allows it', async () => {
      for (const [name, f] of Object.entries(spec.fields)) {
        const nullable = f.type.t === 'datetime-or-null' || f.type.t === 'number-or-null';
        expect(await errorsOf(dto, { ...body, [name]: null })).toEqual(nullable ? [] : [name]);
        const wrong =
          f.type.t === 'string' || f.type.t === 'enum' || f.type.t === 'datetime-or-null' ? 12 : '12';
        expect(await errorsOf(dto, { ...body, [name]: wrong })).toEqual([name]);
        if (f.type.t === 'id') expect(await errorsOf(dto, { ...body, [name]: 0 })).toEqual([name]);
        if (f.type.t === 'id' || f.type.t === 'integer')
          expect(await errorsOf(dto, { ...body, [name]: 1.5 })).toEqual([name]);
        if (f.type.t === 'string') expect(await errorsOf(dto, { ...body, [name]: '' })).toEqual([name]);
        if (f.type.t === 'enum') expect(await errorsOf(dto, { ...body, [name]: 'nope' })).toEqual([name]);
      }
    });

    it('appends one event of its kind whose data is exactly the required fields', async () => {
      events.length = 0;
      const accepted = await h.execute({
        ...body,
        tenant: 'support',
        extra_field: 'dropped',
      } as CommandEnvelope);
      expect(events).toHaveLength(1);
      const event = events[0]!;
      const v = validateInternalEvent(event);
      expect(v).toMatchObject({ ok: true, internalOnly: false });
      expect(event).toMatchObject({ tenant: 'support', kind: spec.kind, data: body });
      expect(Object.keys(event.data).sort()).toEqual(Object.keys(spec.fields).sort());
      expect(accepted).toEqual({
        id: event.id,
        kind: spec.kind,
        public_event_id: publicEventId('support', event.id),
      });
    });
  });
});
