/** Creates Herald's topics from the registry in libs/contracts; auto-creation is off. */
import { TOPIC_SPECS, TopicSpec } from '@herald/contracts';
import type { Admin, ITopicConfig } from 'kafkajs';

export interface TopicSettings {
  partitions: number;
  /** -1 keeps events forever. */
  retentionMs: number;
  replicationFactor?: number;
}

export function topicConfig(spec: TopicSpec, settings: TopicSettings): ITopicConfig {
  return {
    topic: spec.name,
    // Dead letters are rare and read by people: one partition keeps them in failure order.
    numPartitions: spec.role === 'deadletter' ? 1 : settings.partitions,
    replicationFactor: settings.replicationFactor ?? -1,
    configEntries: [
      { name: 'cleanup.policy', value: 'delete' },
      { name: 'retention.ms', value: String(settings.retentionMs) },
      { name: 'retention.bytes', value: '-1' },
    ],
  };
}

/** Creates missing topics; returns the names it created. Safe to run concurrently and repeatedly. */
export async function ensureTopics(
  admin: Admin,
  settings: TopicSettings,
  specs = TOPIC_SPECS,
): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((s) => !existing.has(s.name));
  if (missing.length === 0) return [];
  try {
    await admin.createTopics({ topics: missing.map((s) => topicConfig(s, settings)), waitForLeaders: true });
  } catch (err) {
    // The creation was acknowledged but the broker's metadata does not list the partitions
    // yet (kafkajs's wait for leaders gives up on that): untilServed waits for them. Or
    // another process created them in between, which is success too.
    if ((err as { type?: unknown }).type !== 'UNKNOWN_TOPIC_OR_PARTITION') {
      const after = new Set(await admin.listTopics());
      if (!missing.every((s) => after.has(s.name))) throw err;
    }
  }
  await untilServed(
    admin,
    missing.map((s) => s.name),
  );
  return missing.map((s) => s.name);
}

/**
 * A new topic's partitions may not be in the broker's metadata yet when the creation is
 * acknowledged ("This server does not host this topic-partition"); wait until they are,
 * so whoever asked can use the topics at once.
 */
async function untilServed(admin: Admin, topics: string[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await admin.fetchTopicMetadata({ topics });
      return;
    } catch (err) {
      const type = (err as { type?: unknown }).type;
      if (type !== 'UNKNOWN_TOPIC_OR_PARTITION' || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export interface TopicDescription {
  name: string;
  partitions: Array<{ partition: number; leader: number; low: string; high: string }>;
}

export async function describeTopics(admin: Admin, names: string[]): Promise<TopicDescription[]> {
  const meta = await admin.fetchTopicMetadata({ topics: names });
  const out: TopicDescription[] = [];
  for (const t of meta.topics) {
    const offsets = await admin.fetchTopicOffsets(t.name);
    out.push({
      name: t.name,
      partitions: t.partitions
        .map((p) => {
          const o = offsets.find((x) => x.partition === p.partitionId);
          return { partition: p.partitionId, leader: p.leader, low: o?.low ?? '0', high: o?.high ?? '0' };
        })
        .sort((a, b) => a.partition - b.partition),
    });
  }
  return out;
}

/**
 * Deletes a consumer group and its committed offsets: 'deleted'; 'absent' when it never
 * existed or is already gone; 'in use' when it still has members after `tries` attempts,
 * 200 ms × attempt apart (a member's leave the broker has not processed yet is waited out
 * that way). Any other failure is thrown.
 */
export async function deleteConsumerGroup(
  admin: Admin,
  groupId: string,
  tries: number,
): Promise<'deleted' | 'absent' | 'in use'> {
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.deleteGroups([groupId]);
      return 'deleted';
    } catch (err) {
      const codes = (err as { groups?: Array<{ error?: { type?: string } }> }).groups?.map(
        (g) => g.error?.type ?? 'UNKNOWN',
      );
      if (!codes || codes.length === 0) throw err;
      if (codes.every((c) => c === 'GROUP_ID_NOT_FOUND')) return 'absent';
      if (!codes.every((c) => c === 'NON_EMPTY_GROUP')) throw err;
      if (attempt >= tries) return 'in use';
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
}
