/**
 * Topic registry: the one place Kafka topic names live.
 * Names follow `herald.<internal|public>.<entity>.<version>` and are never renamed;
 * a breaking change gets a new version suffix and a new topic.
 */

/** Product contexts that own an internal topic. The kind prefix names the context. */
export const INTERNAL_CONTEXTS = ['account', 'forum', 'moderation', 'help', 'learn', 'know'] as const;
export type InternalContext = (typeof INTERNAL_CONTEXTS)[number];

export const Topics = {
  internal: {
    account: 'herald.internal.account.v1',
    forum: 'herald.internal.forum.v1',
    moderation: 'herald.internal.moderation.v1',
    help: 'herald.internal.help.v1',
    learn: 'herald.internal.learn.v1',
    know: 'herald.internal.know.v1',
  },
  deadLetter: 'herald.internal.deadletter.v1',
  publicEvents: 'herald.public.events.v1',
} as const satisfies {
  internal: Record<InternalContext, string>;
  deadLetter: string;
  publicEvents: string;
};

export type TopicName =
  (typeof Topics.internal)[InternalContext] | typeof Topics.deadLetter | typeof Topics.publicEvents;

export type TopicRole = 'internal' | 'deadletter' | 'public';

export interface TopicSpec {
  name: TopicName;
  role: TopicRole;
}

/** Every topic Herald creates, in a stable order. */
export const TOPIC_SPECS: readonly TopicSpec[] = [
  ...INTERNAL_CONTEXTS.map((c): TopicSpec => ({ name: Topics.internal[c], role: 'internal' })),
  { name: Topics.deadLetter, role: 'deadletter' },
  { name: Topics.publicEvents, role: 'public' },
];

export function internalTopicFor(context: InternalContext): TopicName {
  return Topics.internal[context];
}

/** Message keys: internal topics `tenant:aggregateId`, public topic `tenant:subjectId`. */
export function messageKey(tenant: string, id: string | number): string {
  return `${tenant}:${id}`;
}

/** What every dead-letter header name starts with; a redrive re-appends the other headers. */
export const DEAD_LETTER_HEADER_PREFIX = 'herald-dlq-';

/**
 * Headers every dead-letter record carries, so an operator can find and re-drive the original.
 * The original's own headers are kept beside them.
 */
export const DeadLetterHeaders = {
  reason: 'herald-dlq-reason',
  sourceTopic: 'herald-dlq-source-topic',
  sourcePartition: 'herald-dlq-source-partition',
  sourceOffset: 'herald-dlq-source-offset',
  consumerGroup: 'herald-dlq-consumer-group',
  failedAt: 'herald-dlq-failed-at',
} as const;
