/**
 * The usage log, off the request path: each authenticated public response adds to
 * in-memory counters (requests, errors, last seen, per key per hour); a flush every
 * few seconds, and one at shutdown, writes them and `api_keys.last_used_at` in one
 * transaction. It runs as the schema owner, as the other multi-tenant system writers
 * do, with each row's tenant taken from the key the guard validated.
 *
 * Requests made with an OAuth access token are counted for its client, the same way, in
 * `oauth_client_usage` and `oauth_clients.last_used_at`.
 */
import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import { PeriodicWriter } from './periodic-writer';

const HOUR_MS = 3_600_000;
/** Beyond this many pending rows (a database away for long), new ones are dropped and counted. */
const MAX_PENDING = 100_000;

type UsageKind = 'key' | 'token';

interface Bucket {
  tenant: string;
  kind: UsageKind;
  /** The key's id, or the client's for a token. */
  keyId: string;
  hour: number;
  requests: number;
  errors: number;
  lastSeen: number;
}

export class UsageRecorder extends PeriodicWriter {
  private buckets = new Map<string, Bucket>();
  private dropped = 0;

  constructor(
    private readonly ds: DataSource,
    private readonly logger: Logger,
  ) {
    super();
  }

  record(tenant: string, keyId: string, status: number, now = Date.now(), kind: UsageKind = 'key'): void {
    const hour = now - (now % HOUR_MS);
    const id = `${kind} ${keyId} ${hour}`;
    let b = this.buckets.get(id);
    if (!b) {
      if (this.buckets.size >= MAX_PENDING) {
        this.dropped++;
        return;
      }
      b = { tenant, kind, keyId, hour, requests: 0, errors: 0, lastSeen: now };
      this.buckets.set(id, b);
    }
    b.requests++;
    if (status >= 400) b.errors++;
    if (now > b.lastSeen) b.lastSeen = now;
  }

  protected async writePending(): Promise<void> {
    if (this.buckets.size === 0 || !this.ds.isInitialized) return;
    const batch = this.buckets;
    this.buckets = new Map();
    const all = [...batch.values()];
    try {
      await this.ds.transaction(async (em) => {
        for (const target of USAGE_TABLES) {
          const rows = all.filter((b) => b.kind === target.kind);
          if (rows.length > 0) await writeUsage(em, target, rows);
        }
      });
    } catch (err) {
      for (const [id, b] of batch) this.merge(id, b);
      this.logger.warn({ err, pending: this.buckets.size }, 'API key usage flush failed; will retry');
      return;
    }
    if (this.dropped > 0) {
      this.logger.warn(
        { dropped: this.dropped },
        'API key usage records were dropped while the log was full',
      );
      this.dropped = 0;
    }
  }

  private merge(id: string, b: Bucket): void {
    const cur = this.buckets.get(id);
    if (!cur) {
      if (this.buckets.size < MAX_PENDING) this.buckets.set(id, b);
      else this.dropped += b.requests;
      return;
    }
    cur.requests += b.requests;
    cur.errors += b.errors;
    cur.lastSeen = Math.max(cur.lastSeen, b.lastSeen);
  }
}

/** Where each kind of usage goes: its hourly table and the row whose `last_used_at` it moves. */
const USAGE_TABLES = [
  { kind: 'key', usage: 'api_key_usage', idColumn: 'key_id', owner: 'api_keys' },
  { kind: 'token', usage: 'oauth_client_usage', idColumn: 'client_id', owner: 'oauth_clients' },
] as const;

async function writeUsage(
  em: EntityManager,
  t: (typeof USAGE_TABLES)[number],
  rows: readonly Bucket[],
): Promise<void> {
  const lastUsed = new Map<string, Bucket>();
  for (const b of rows) {
    const seen = lastUsed.get(b.keyId);
    if (!seen || b.lastSeen > seen.lastSeen) lastUsed.set(b.keyId, b);
  }
  await em.query(
    `INSERT INTO ${t.usage} (tenant, ${t.idColumn}, hour, requests, errors, last_seen_at)
     SELECT u.tenant, u.id, u.hour, u.requests, u.errors, u.last_seen_at
     FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::bigint[], $5::bigint[], $6::timestamptz[])
       AS u (tenant, id, hour, requests, errors, last_seen_at)
     WHERE EXISTS (SELECT 1 FROM ${t.owner} k WHERE k.id = u.id AND k.tenant = u.tenant)
     ON CONFLICT (${t.idColumn}, hour) DO UPDATE SET
       requests = ${t.usage}.requests + EXCLUDED.requests,
       errors = ${t.usage}.errors + EXCLUDED.errors,
       last_seen_at = GREATEST(${t.usage}.last_seen_at, EXCLUDED.last_seen_at)`,
    [
      rows.map((b) => b.tenant),
      rows.map((b) => b.keyId),
      rows.map((b) => new Date(b.hour)),
      rows.map((b) => b.requests),
      rows.map((b) => b.errors),
      rows.map((b) => new Date(b.lastSeen)),
    ],
  );
  const used = [...lastUsed.values()];
  await em.query(
    `UPDATE ${t.owner} k SET last_used_at = GREATEST(k.last_used_at, v.at)
     FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS v (id, tenant, at)
     WHERE k.id = v.id AND k.tenant = v.tenant`,
    [used.map((b) => b.keyId), used.map((b) => b.tenant), used.map((b) => new Date(b.lastSeen))],
  );
}
