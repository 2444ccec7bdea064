/**
 * The consumer roles as Nest microservices: a custom transport strategy whose event
 * handlers receive batches.
 *
 * A role declares what it consumes on a controller method:
 *
 *   @ConsumeBatches({ groupId, topics, fromBeginning, decode, ... })
 *   handle(@Payload() batch: ConsumedBatch<T>): Promise<HandleResult | void>
 *
 * (an `@EventPattern` whose pattern is the consumer group and whose extras say what the
 * group reads and how), and optionally `@OnAssignment(groupId)` on another method to hear
 * each assignment the group makes. When the application's microservices start, the
 * transport starts one `HeraldConsumer` per declared group, so everything that consumer
 * guarantees holds unchanged: poison is dead-lettered with its reason, one handler call
 * per fetch, offsets committed only after the handler resolved, a failing call retried
 * with backoff and nothing committed. The handler runs through Nest's pipeline (pipes,
 * interceptors, guards); both decorators add `ConsumerErrorsPassThrough`, which hands its
 * errors back to the consumer untouched (Nest's default RPC filter would turn them into
 * an anonymous "Internal server error" and lose `RepositionRequest`).
 */
import { applyDecorators, ArgumentsHost, Catch, RpcExceptionFilter, UseFilters } from '@nestjs/common';
import {
  BaseRpcContext,
  CustomTransportStrategy,
  EventPattern,
  MessageHandler,
  Server,
} from '@nestjs/microservices';
import { isObservable, lastValueFrom, Observable, throwError } from 'rxjs';
import type {
  BatchContext,
  ConsumerFactory,
  ConsumerSpec,
  Decoded,
  HandleResult,
  HeraldConsumer,
} from './consumer';

/** The transport's id: handlers declared with the decorators below bind to it alone. */
export const HERALD_KAFKA_TRANSPORT = Symbol('herald.kafka-batches');

/** What a consumer group reads and how (everything of a ConsumerSpec but the handlers). */
export type ConsumerBinding<T> = Omit<ConsumerSpec<T>, 'handle' | 'onAssignment'>;

/** The payload of a batch handler: one call's decoded messages and the partitions it covers. */
export interface ConsumedBatch<T> extends BatchContext {
  messages: Array<Decoded<T>>;
}

/** The context argument of a handler (`@Ctx()`): the group it belongs to. */
export class ConsumerGroupContext extends BaseRpcContext<[string]> {
  get groupId(): string {
    return this.args[0];
  }
}

const BINDING = 'heraldConsumerBinding';
const ASSIGNMENT = 'heraldConsumerAssignment';

/** Hands a handler's error back to the consumer as it was thrown. */
@Catch()
export class ConsumerErrorsPassThrough implements RpcExceptionFilter<unknown> {
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => exception);
  }
}

/** The method handles every batch of the group `binding` declares. */
export function ConsumeBatches<T>(binding: ConsumerBinding<T>): MethodDecorator {
  return applyDecorators(
    EventPattern(binding.groupId, HERALD_KAFKA_TRANSPORT, { [BINDING]: binding }),
    UseFilters(ConsumerErrorsPassThrough),
  );
}

/** The method hears each assignment of `groupId`: topic → partitions this member owns. */
export function OnAssignment(groupId: string): MethodDecorator {
  return applyDecorators(
    EventPattern(`${groupId}#assignment`, HERALD_KAFKA_TRANSPORT, { [ASSIGNMENT]: groupId }),
    UseFilters(ConsumerErrorsPassThrough),
  );
}

export class HeraldKafkaTransport extends Server implements CustomTransportStrategy {
  override readonly transportId = HERALD_KAFKA_TRANSPORT;
  private readonly started = new Map<string, HeraldConsumer<unknown>>();

  /** `consumers` is asked only when some group was declared. */
  constructor(private readonly consumers: () => ConsumerFactory) {
    super();
  }

  /** Starts a consumer for every declared group; the callback gets the first failure. */
  async listen(callback: (err?: unknown) => void): Promise<void> {
    try {
      const groups = this.declaredGroups();
      if (groups.length > 0) {
        const factory = this.consumers();
        for (const { binding, handler, assigned } of groups) {
          const groupId = binding.groupId;
          const consumer = await factory.startConsumer<unknown>({
            ...binding,
            handle: (messages, ctx) => this.call<HandleResult | void>(handler, { messages, ...ctx }, groupId),
            ...(assigned
              ? { onAssignment: (a: ReadonlyMap<string, number[]>) => this.call<void>(assigned, a, groupId) }
              : {}),
          });
          this.started.set(groupId, consumer);
        }
      }
      callback();
    } catch (err) {
      callback(err);
    }
  }

  /** Stops every consumer it started: the call in flight finishes and its offsets are committed. */
  async close(): Promise<void> {
    const consumers = [...this.started.values()];
    this.started.clear();
    await Promise.all(consumers.map((c) => c.stop()));
  }

  on(): never {
    throw new Error('the Herald Kafka transport has no events to listen to');
  }

  unwrap<T>(): T {
    return this.started as T;
  }

  private declaredGroups(): Array<{
    binding: ConsumerBinding<unknown>;
    handler: MessageHandler;
    assigned?: MessageHandler;
  }> {
    const assignments = new Map<string, MessageHandler>();
    const groups: Array<{ binding: ConsumerBinding<unknown>; handler: MessageHandler }> = [];
    for (const handler of this.messageHandlers.values()) {
      const binding = handler.extras?.[BINDING] as ConsumerBinding<unknown> | undefined;
      const assignmentOf = handler.extras?.[ASSIGNMENT] as string | undefined;
      if (handler.next) {
        throw new Error(`consumer group ${binding?.groupId ?? assignmentOf} has more than one handler`);
      }
      if (binding) groups.push({ binding, handler });
      else if (assignmentOf) assignments.set(assignmentOf, handler);
    }
    for (const groupId of assignments.keys()) {
      if (!groups.some((g) => g.binding.groupId === groupId))
        throw new Error(`@OnAssignment(${groupId}) names no group declared with @ConsumeBatches`);
    }
    return groups.map((g) => ({ ...g, assigned: assignments.get(g.binding.groupId) }));
  }

  /** Runs a Nest handler and settles with its result, or rejects with what it threw. */
  private async call<R>(handler: MessageHandler, data: unknown, groupId: string): Promise<R> {
    const out: unknown = await handler(data, new ConsumerGroupContext([groupId]));
    return (isObservable(out) ? await lastValueFrom(out, { defaultValue: undefined }) : out) as R;
  }
}
