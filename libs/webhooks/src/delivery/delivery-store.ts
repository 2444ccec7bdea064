/**
 * The SQL of delivery state, batched: every function is one round trip (or one short
 * transaction) for a whole batch, never one per delivery, and each statement is prepared
 * once per connection (`queryPrepared`). Workers run as the schema
 * owner; every write to a delivery is fenced by the lease, so a worker whose lease was
 * lost (it stalled, another claimed the delivery) changes nothing.
 */
import { queryPrepared } from '@herald/platform';
import type { DataSource, EntityManager } from 'typeorm';
import type { DeliveryJob, DeliveryOutcome } from './delivery-job';
import { DEFAULT_ATTEMPT_TIMEOUT_MS } from './delivery-settings';

/** How much longer than its attempt timeout a delivery stays leased: room for queueing and writing the outcome. */
export const LEASE_MARGIN_MS = 10_000;

/** An endpoint's circuit breaker, as the API shows it. */
export type BreakerState = 'closed' | 'open' | 'half_open';

export interface NewDelivery {
  /** Chosen by the caller (`dlv_` + a ULID), so it knows the rows before they are written. */
  id: string;
  tenant: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  maxAttempts: number;
  /**
   * Leased to the creating process for this long (it attempts the delivery now), or null:
   * left unleased for whichever worker has room first.
   */
  leaseMs: number | null;
}

export interface NewMessage {
  tenant: string;
  eventId: string;
  eventType: string;
  payload: string;
}

interface JobRow {
  id: string;
  tenant: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  attempt_count: number;
  max_attempts: number;
  payload: string;
  lease_until_ms: string;
}

function toJob(r: JobRow): DeliveryJob {
  return {
    id: r.id,
    tenant: r.tenant,
    endpointId: r.endpoint_id,
    eventId: r.event_id,
    eventType: r.event_type,
    attemptCount: r.attempt_count,
    maxAttempts: r.max_attempts,
    payload: r.payload,
    leaseUntil: Number(r.lease_until_ms),
  };
}

const LEASE_FOR = (alias: string): string =>
  `now() + make_interval(secs => (COALESCE((SELECT s.attempt_timeout_ms FROM tenant_settings s WHERE s.tenant = ${alias}.tenant), ${DEFAULT_ATTEMPT_TIMEOUT_MS}) + ${LEASE_MARGIN_MS}) / 1000.0)`;

export class DeliveryStore {
  constructor(private readonly ds: DataSource) {}

  /**
   * Stores each message once and one delivery per (event, endpoint), due now; those with
   * a `leaseMs` are leased to `owner`, so this process attempts them at once, and the
   * rest wait in the table, unleased, for whichever worker has room first. Returns the
   * deliveries this call created, each with the end of its lease (epoch ms, database
   * clock) or null: a re-read event finds its deliveries already there and creates none.
   * A message may come in an earlier call than some of its deliveries.
   */
  async createDeliveries(
    owner: string,
    messages: NewMessage[],
    deliveries: NewDelivery[],
  ): Promise<Map<string, number | null>> {
    if (deliveries.length === 0) return new Map();
    return (await this.createMatched(owner, messages, deliveries, new Map())).created;
  }

  /**
   * As createDeliveries, for deliveries matched against endpoints read earlier: `matched`
   * gives the endpoint version (webhook_endpoint_versions) each tenant was matched with.
   * A tenant whose version has moved since is `stale`, and none of its deliveries is
   * written; the caller matches its events again. The versions are read in the statement's
   * own snapshot, so what was committed before it began (before the events it writes were
   * read) is seen. With no delivery given, the statement only checks the versions.
   */
  async createMatched(
    owner: string,
    messages: NewMessage[],
    deliveries: NewDelivery[],
    matched: ReadonlyMap<string, number>,
  ): Promise<{ created: Map<string, number | null>; stale: Set<string> }> {
    const created = new Map<string, number | null>();
    const stale = new Set<string>();
    if (deliveries.length === 0 && matched.size === 0) return { created, stale };
    // The rows travel as two JSON texts: V8 writes them at native speed, where pg would escape
    // every element of a dozen text arrays in JavaScript (a burst's write is thousands of rows).
    const rows = await queryPrepared<{
      id: string | null;
      lease_until_ms: string | null;
      stale: string | null;
    }>(
      this.ds,
      `WITH stale AS (
         SELECT x.tenant FROM unnest($4::text[], $5::bigint[]) AS x(tenant, version)
          WHERE x.version <> COALESCE((SELECT e.version FROM webhook_endpoint_versions e
                                        WHERE e.tenant = x.tenant), 0)
       ),
       msg AS (
         INSERT INTO webhook_messages (tenant, event_id, event_type, payload)
         SELECT m.tenant, m.event_id, m.event_type, m.payload
           FROM json_to_recordset($1::json) AS m(tenant text, event_id text, event_type text, payload text)
          WHERE m.tenant NOT IN (SELECT tenant FROM stale)
         ON CONFLICT DO NOTHING
       ),
       created AS (
         INSERT INTO webhook_deliveries (id, tenant, endpoint_id, event_id, event_type, max_attempts,
                                         next_attempt_at, lease_owner, lease_until)
         SELECT v.id, v.tenant, v.endpoint_id, v.event_id, v.event_type, v.max_attempts, now(),
                CASE WHEN v.lease_ms IS NOT NULL THEN $3 END,
                now() + make_interval(secs => v.lease_ms / 1000.0)
           FROM json_to_recordset($2::json)
                AS v(id text, tenant text, endpoint_id text, event_id text, event_type text,
                     max_attempts int, lease_ms int)
          WHERE v.tenant NOT IN (SELECT tenant FROM stale)
         ON CONFLICT (event_id, endpoint_id) DO NOTHING
         RETURNING id, (extract(epoch FROM lease_until) * 1000)::bigint AS lease_until_ms
       )
       SELECT id, lease_until_ms, NULL AS stale FROM created
       UNION ALL
       SELECT NULL, NULL, tenant FROM stale`,
      [
        JSON.stringify(
          messages.map((m) => ({
            tenant: m.tenant,
            event_id: m.eventId,
            event_type: m.eventType,
            payload: m.payload,
          })),
        ),
        JSON.stringify(
          deliveries.map((d) => ({
            id: d.id,
            tenant: d.tenant,
            endpoint_id: d.endpointId,
            event_id: d.eventId,
            event_type: d.eventType,
            max_attempts: d.maxAttempts,
            lease_ms: d.leaseMs,
          })),
        ),
        owner,
        [...matched.keys()],
        [...matched.values()].map(String),
      ],
    );
    for (const r of rows) {
      if (r.stale !== null) stale.add(r.stale);
      else if (r.id !== null) created.set(r.id, r.lease_until_ms === null ? null : Number(r.lease_until_ms));
    }
    return { created, stale };
  }

  /**
   * Leases up to `limit` due deliveries to `owner`, oldest due first, and of each endpoint
   * at most what its lane has room for: `room` names the endpoints this worker already
   * has lanes for (0: take none), any other endpoint may bring `otherRoom`. Rows another
   * worker holds are skipped. Each endpoint with pending deliveries is visited once, in
   * the order of the due index, so an endpoint with a large backlog costs a claim no more
   * than one with a single due delivery.
   */
  async claimDue(
    owner: string,
    limit: number,
    room: ReadonlyMap<string, number>,
    otherRoom: number,
  ): Promise<DeliveryJob[]> {
    if (limit <= 0) return [];
    const rows = await queryPrepared<JobRow>(
      this.ds,
      `WITH RECURSIVE pending AS (
         (SELECT endpoint_id FROM webhook_deliveries
           WHERE status IN ('pending', 'retrying')
           ORDER BY endpoint_id LIMIT 1)
         UNION ALL
         SELECT (SELECT d.endpoint_id FROM webhook_deliveries d
                  WHERE d.status IN ('pending', 'retrying') AND d.endpoint_id > p.endpoint_id
                  ORDER BY d.endpoint_id LIMIT 1)
           FROM pending p
          WHERE p.endpoint_id IS NOT NULL
       ),
       lanes AS (
         SELECT p.endpoint_id, COALESCE(r.n, $4) AS n
           FROM pending p
           LEFT JOIN unnest($3::text[], $5::int[]) AS r(endpoint_id, n) ON r.endpoint_id = p.endpoint_id
          WHERE p.endpoint_id IS NOT NULL
       ),
       due AS (
         SELECT c.id FROM lanes
          CROSS JOIN LATERAL (
            SELECT d.id, d.next_attempt_at FROM webhook_deliveries d
             WHERE d.endpoint_id = lanes.endpoint_id
               AND d.status IN ('pending', 'retrying')
               AND d.next_attempt_at <= now()
               AND (d.lease_until IS NULL OR d.lease_until < now())
             ORDER BY d.next_attempt_at
             LIMIT lanes.n
             FOR UPDATE SKIP LOCKED
          ) c
          WHERE lanes.n > 0
          ORDER BY c.next_attempt_at
          LIMIT $2
       )
       UPDATE webhook_deliveries d
          SET lease_owner = $1, lease_until = ${LEASE_FOR('d')}
         FROM due
        WHERE d.id = due.id
       RETURNING d.id, d.tenant, d.endpoint_id, d.event_id, d.event_type, d.attempt_count, d.max_attempts,
                 (extract(epoch FROM d.lease_until) * 1000)::bigint AS lease_until_ms,
                 (SELECT m.payload FROM webhook_messages m WHERE m.tenant = d.tenant AND m.event_id = d.event_id) AS payload`,
      [owner, limit, [...room.keys()], otherRoom, [...room.values()]],
    );
    return rows.map(toJob);
  }

  /** Extends the leases `owner` still holds; returns the new expiry of each (absent: lost). */
  async renewLeases(owner: string, ids: string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (ids.length === 0) return out;
    const rows = await queryPrepared<{ id: string; lease_until_ms: string }>(
      this.ds,
      `UPDATE webhook_deliveries d SET lease_until = ${LEASE_FOR('d')}
        WHERE d.id = ANY($2::text[]) AND d.lease_owner = $1 AND d.status IN ('pending', 'retrying')
       RETURNING d.id, (extract(epoch FROM d.lease_until) * 1000)::bigint AS lease_until_ms`,
      [owner, ids],
    );
    for (const r of rows) out.set(r.id, Number(r.lease_until_ms));
    return out;
  }

  /**
   * Records a batch of outcomes atomically: attempts, delivery states, endpoint health.
   * The usual batch (no delivery died, no endpoint answered 410) is one statement, so a
   * busy worker pays one round trip per batch; a batch that may disable an endpoint
   * takes a transaction of several.
   */
  async recordOutcomes(owner: string, outcomes: DeliveryOutcome[]): Promise<void> {
    if (outcomes.length === 0) return;
    const grave = outcomes.some((o) => o.kind === 'attempted' && (o.status === 'dead' || o.gone));
    if (!grave) {
      await this.recordRoutineOutcomes(owner, outcomes);
      return;
    }
    await this.ds.transaction(async (em) => {
      const applied = await this.applyDeliveryStates(em, owner, outcomes);
      await this.insertAttempts(
        em,
        outcomes.filter((o) => applied.has(o.job.id)),
      );
      await this.updateEndpointHealth(
        em,
        outcomes.filter((o) => applied.has(o.job.id)),
      );
    });
  }

  /** Clears expired grace-window secrets: after the window only the new secret signs. */
  async purgeExpiredPreviousSecrets(): Promise<number> {
    const rows = await queryPrepared<{ id: string }>(
      this.ds,
      `UPDATE webhook_endpoints
          SET previous_secret_key_id = NULL, previous_secret_sealed = NULL, previous_secret_expires_at = NULL
        WHERE previous_secret_expires_at <= now()
       RETURNING id`,
      [],
    );
    return rows.length;
  }

  /**
   * Records a breaker transition seen at `at`; an older one arriving late (writes are
   * not ordered) changes nothing. With several workers, the last transition of any wins.
   */
  async recordBreakerState(endpointId: string, state: BreakerState, at: Date): Promise<void> {
    await queryPrepared(
      this.ds,
      `UPDATE webhook_endpoints SET breaker_state = $2, breaker_changed_at = $3
        WHERE id = $1 AND (breaker_changed_at IS NULL OR breaker_changed_at <= $3)`,
      [endpointId, state, at.toISOString()],
    );
  }

  /**
   * Seconds since the oldest delivery still pending or retrying was created, across tenants
   * (an operator's figure, read as the workers read); null when none is.
   */
  async oldestPendingAgeSeconds(): Promise<number | null> {
    const [row] = await queryPrepared<{ age: number | null }>(
      this.ds,
      `SELECT extract(epoch FROM now() - min(created_at))::float8 AS age
         FROM webhook_deliveries WHERE status IN ('pending', 'retrying')`,
      [],
    );
    return row?.age ?? null;
  }

  private async applyDeliveryStates(
    em: EntityManager,
    owner: string,
    outcomes: DeliveryOutcome[],
  ): Promise<Set<string>> {
    const rows = await queryPrepared<{ id: string }>(em, `${APPLY_STATES} RETURNING d.id`, [
      owner,
      ...stateParams(outcomes),
    ]);
    return new Set(rows.map((r) => r.id));
  }

  /**
   * States, attempts and the reset of each succeeding endpoint's run of dead deliveries,
   * in one statement; only outcomes whose lease this worker still held are recorded.
   */
  private async recordRoutineOutcomes(owner: string, outcomes: DeliveryOutcome[]): Promise<void> {
    await queryPrepared(
      this.ds,
      `WITH applied AS (
         ${APPLY_STATES}
         RETURNING d.id, d.endpoint_id, d.status
       ),
       attempts AS (
         ${INSERT_ATTEMPTS(7, 'WHERE v.delivery_id IN (SELECT id FROM applied)')}
       ),
       healthy AS (
         UPDATE webhook_endpoints e SET consecutive_dead = 0
          WHERE e.id IN (SELECT endpoint_id FROM applied WHERE status = 'succeeded')
            AND e.consecutive_dead <> 0
       )
       SELECT count(*) FROM applied`,
      [owner, ...stateParams(outcomes), ...attemptParams(outcomes)],
    );
  }

  private async insertAttempts(em: EntityManager, outcomes: DeliveryOutcome[]): Promise<void> {
    if (!outcomes.some((o) => o.kind === 'attempted')) return;
    await queryPrepared(em, INSERT_ATTEMPTS(1, ''), attemptParams(outcomes));
  }

  /**
   * A success resets the endpoint's run of dead deliveries; each dead one extends it, and
   * reaching the tenant's threshold disables the endpoint. `410 Gone` disables it at once.
   * Either disabling is audit-logged with the system as actor.
   */
  private async updateEndpointHealth(em: EntityManager, outcomes: DeliveryOutcome[]): Promise<void> {
    const succeeded = new Set<string>();
    const dead = new Map<string, number>();
    const gone = new Set<string>();
    for (const o of outcomes) {
      if (o.kind !== 'attempted') continue;
      if (o.status === 'succeeded') succeeded.add(o.job.endpointId);
      if (o.status === 'dead') dead.set(o.job.endpointId, (dead.get(o.job.endpointId) ?? 0) + 1);
      if (o.gone) gone.add(o.job.endpointId);
    }
    if (succeeded.size > 0) {
      await em.query(
        `UPDATE webhook_endpoints SET consecutive_dead = 0 WHERE id = ANY($1::text[]) AND consecutive_dead <> 0`,
        [[...succeeded].filter((id) => !dead.has(id))],
      );
    }
    if (dead.size === 0 && gone.size === 0) return;
    const ids = [...new Set([...dead.keys(), ...gone])];
    // One UPDATE per row: the verdict is computed from the row as it was, in a subquery.
    await em.query(
      `WITH changed AS (
         UPDATE webhook_endpoints e
            SET consecutive_dead = e.consecutive_dead + v.k,
                active = CASE WHEN v.reason IS NULL THEN e.active ELSE false END,
                disabled_reason = COALESCE(v.reason, e.disabled_reason),
                updated_at = CASE WHEN v.reason IS NULL THEN e.updated_at ELSE now() END
           FROM (
             SELECT x.id, x.k,
                    CASE WHEN NOT e0.active THEN NULL
                         WHEN x.id = ANY($3::text[]) THEN 'gone'
                         WHEN e0.consecutive_dead + x.k >= COALESCE(
                           (SELECT s.auto_disable_threshold FROM tenant_settings s WHERE s.tenant = e0.tenant), 20)
                         THEN 'consecutive_failures' END AS reason
               FROM unnest($1::text[], $2::int[]) AS x(id, k)
               JOIN webhook_endpoints e0 ON e0.id = x.id
           ) v
          WHERE e.id = v.id
         RETURNING e.id, e.tenant, e.consecutive_dead, v.reason
       )
       INSERT INTO audit_log (tenant, actor, action, target_type, target_id, details)
       SELECT tenant, 'system', 'webhook_endpoint.auto_disabled', 'webhook_endpoint', id,
              jsonb_build_object('reason', reason, 'consecutive_dead', consecutive_dead)
         FROM changed
        WHERE reason IS NOT NULL`,
      [ids, ids.map((id) => dead.get(id) ?? 0), [...gone]],
    );
  }
}

/**
 * Sets each delivery's state from its outcome and clears the lease; $1 owner, $2–$6 from
 * stateParams. The rows are found through the primary key (`= ANY`), then matched to
 * their outcomes. The lease fence is part of that match rather than a filter of the scan:
 * as a filter, the planner takes it to leave almost no rows and joins by comparing every
 * outcome with every row.
 */
const APPLY_STATES = `UPDATE webhook_deliveries d
          SET status = COALESCE(v.status, d.status),
              attempt_count = COALESCE(v.n, d.attempt_count),
              next_attempt_at = CASE WHEN v.keep_next THEN d.next_attempt_at ELSE v.next_at END,
              lease_owner = NULL, lease_until = NULL, updated_at = now()
         FROM unnest($2::text[], $3::text[], $4::int[], $5::timestamptz[], $6::boolean[],
                     array_fill($1::text, ARRAY[cardinality($2::text[])]))
              AS v(id, status, n, next_at, keep_next, owner)
        WHERE d.id = ANY($2::text[]) AND d.id = v.id AND d.lease_owner = v.owner`;

function stateParams(outcomes: DeliveryOutcome[]): unknown[] {
  const ids: string[] = [];
  const statuses: Array<string | null> = [];
  const counts: Array<number | null> = [];
  const nexts: Array<string | null> = [];
  const keepNext: boolean[] = [];
  for (const o of outcomes) {
    ids.push(o.job.id);
    switch (o.kind) {
      case 'attempted':
        statuses.push(o.status);
        counts.push(o.attempt.n);
        nexts.push(o.nextAttemptAt?.toISOString() ?? null);
        keepNext.push(false);
        break;
      case 'deferred':
        statuses.push(null);
        counts.push(null);
        nexts.push(o.nextAttemptAt.toISOString());
        keepNext.push(false);
        break;
      case 'cancelled':
        statuses.push('cancelled');
        counts.push(null);
        nexts.push(null);
        keepNext.push(false);
        break;
      case 'released':
        statuses.push(null);
        counts.push(null);
        nexts.push(null);
        keepNext.push(true);
        break;
    }
  }
  return [ids, statuses, counts, nexts, keepNext];
}

/** Inserts the attempts given by attemptParams, whose first parameter is `$first`. */
const INSERT_ATTEMPTS = (first: number, where: string): string => {
  const p = (i: number): string => `$${first + i}`;
  return `INSERT INTO webhook_attempts (delivery_id, n, tenant, at, status_code, latency_ms, response_body, error,
                                     request_headers, max_attempts, next_attempt_at)
       SELECT v.delivery_id, v.n, v.tenant, v.at, v.status_code, v.latency_ms, v.response_body, v.error,
              v.request_headers::jsonb, v.max_attempts, v.next_at
         FROM unnest(${p(0)}::text[], ${p(1)}::int[], ${p(2)}::text[], ${p(3)}::timestamptz[], ${p(4)}::int[],
                     ${p(5)}::int[], ${p(6)}::text[], ${p(7)}::text[], ${p(8)}::text[], ${p(9)}::int[],
                     ${p(10)}::timestamptz[])
              AS v(delivery_id, n, tenant, at, status_code, latency_ms, response_body, error, request_headers,
                   max_attempts, next_at)
       ${where}
       ON CONFLICT (delivery_id, n) DO NOTHING`;
};

/** The attempts among `outcomes`, as the eleven arrays INSERT_ATTEMPTS unnests. */
function attemptParams(outcomes: DeliveryOutcome[]): unknown[] {
  const attempted = outcomes.filter((o) => o.kind === 'attempted');
  return [
    attempted.map((o) => o.job.id),
    attempted.map((o) => o.attempt.n),
    attempted.map((o) => o.job.tenant),
    attempted.map((o) => o.attempt.at.toISOString()),
    attempted.map((o) => o.attempt.statusCode),
    attempted.map((o) => o.attempt.latencyMs),
    attempted.map((o) => o.attempt.responseBody),
    attempted.map((o) => o.attempt.error),
    attempted.map((o) => JSON.stringify(o.attempt.requestHeaders)),
    attempted.map((o) => o.job.maxAttempts),
    attempted.map((o) => o.nextAttemptAt?.toISOString() ?? null),
  ];
}
