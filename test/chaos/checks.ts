/**
 * The database and broker side of the chaos run's checks: delivery rows written twice and
 * attempts of one delivery that overlapped in time (on the deliveries of a set of events),
 * and the state and lag of Herald's consumer groups.
 */
import type { Admin } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { groupLag } from '@herald/platform';
import { PROJECTION_NAMES, projectorGroup } from '@herald/events';

/** (event, endpoint) pairs of these events with more than one delivery row. */
export async function deliveryRowsTwice(ds: DataSource, eventIds: string[]): Promise<number> {
  const [row] = await ds.query<Array<{ n: number }>>(
    `SELECT count(*)::int AS n FROM (
       SELECT event_id, endpoint_id FROM webhook_deliveries WHERE event_id = ANY($1)
       GROUP BY event_id, endpoint_id HAVING count(*) > 1) d`,
    [eventIds],
  );
  return row?.n ?? 0;
}

/**
 * Attempts recorded for the deliveries of these events, and how many of them started
 * before the previous attempt of the same delivery had ended (its start + latency).
 */
export async function attemptOverlaps(
  ds: DataSource,
  eventIds: string[],
): Promise<{ attempts: number; overlapping: number }> {
  const [row] = await ds.query<Array<{ n: number; overlapping: number }>>(
    `SELECT count(*)::int AS n,
            count(*) FILTER (WHERE at < prev_end)::int AS overlapping
       FROM (SELECT a.at,
                    lag(a.at + a.latency_ms * interval '1 millisecond')
                      OVER (PARTITION BY a.delivery_id ORDER BY a.at) AS prev_end
               FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id
              WHERE d.event_id = ANY($1)) x`,
    [eventIds],
  );
  return { attempts: row?.n ?? 0, overlapping: row?.overlapping ?? 0 };
}

export interface GroupState {
  group: string;
  state: string;
  members: number;
  /** Records behind the log end, over the topics it has committed offsets for. */
  lag: number;
}

/** Herald's consumer groups: state, members and lag. */
export async function consumerGroups(admin: Admin): Promise<GroupState[]> {
  const ids = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith('herald.'));
  if (ids.length === 0) return [];
  const described = await admin.describeGroups(ids);
  const out: GroupState[] = [];
  for (const g of described.groups) {
    const topics = (await admin.fetchOffsets({ groupId: g.groupId })).map((t) => t.topic);
    const lag =
      topics.length === 0
        ? 0
        : (await groupLag(admin, g.groupId, topics)).reduce((n, p) => n + Math.max(p.lag, 0), 0);
    out.push({ group: g.groupId, state: g.state, members: g.members.length, lag });
  }
  return out.sort((a, b) => a.group.localeCompare(b.group));
}

/**
 * Records the pipeline still has to read: the lag of every group but a projection's
 * catch-up group (`herald.projector.<name>`) that is empty. The projector starts one when
 * a projection falls behind the others (a kill between their transactions can do that)
 * and deletes it once the projection is level again, but one killed meanwhile leaves it
 * behind until a projector next starts. Its committed offsets are not the projection's
 * position (its checkpoints in Postgres are), so the lag of such a group is not work.
 */
export function pipelineLag(groups: readonly GroupState[]): number {
  const catchUps = new Set<string>(PROJECTION_NAMES.map(projectorGroup));
  return groups
    .filter((g) => !(catchUps.has(g.group) && g.state === 'Empty' && g.members === 0))
    .reduce((n, g) => n + g.lag, 0);
}
