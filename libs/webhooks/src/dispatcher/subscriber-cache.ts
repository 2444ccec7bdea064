/**
 * The active endpoints of each tenant the dispatcher matches events against, kept in memory
 * with the tenant's endpoint version (webhook_endpoint_versions). A tenant not cached is
 * read with its version in one statement; a cached one is used as it is, and its version
 * is checked by the statement that writes the call's deliveries
 * (DeliveryStore.createMatched). When that finds the version moved, the dispatcher forgets
 * the tenant and matches its events again against what it reads then. So no entry needs a
 * lifetime for correctness; the cache only keeps its size bounded, dropping the tenants
 * used least recently.
 */
import { queryPrepared } from '@herald/platform';
import type { DataSource } from 'typeorm';
import type { EndpointFilters } from '../endpoints/endpoint';
import type { Subscriber } from './subscription';

export interface TenantSubscribers {
  subscribers: Subscriber[];
  /** The tenant's endpoint version these were read at. */
  version: number;
  /** Read by this call (not yet used by an earlier one): no check needed. */
  fresh: boolean;
}

interface Row {
  tenant: string;
  version: string;
  id: string | null;
  events: string[] | null;
  filters: EndpointFilters | null;
  created_at: Date | null;
}

/** Tenants kept at most; beyond it the least recently used are read again when they come back. */
export const MAX_CACHED_TENANTS = 10_000;

export class SubscriberCache {
  private readonly entries = new Map<string, { subscribers: Subscriber[]; version: number }>();

  constructor(
    private readonly ds: DataSource,
    private readonly maxTenants = MAX_CACHED_TENANTS,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The subscribers of each tenant, those not cached read in one statement. */
  async forTenants(tenants: Iterable<string>): Promise<Map<string, TenantSubscribers>> {
    const out = new Map<string, TenantSubscribers>();
    const missing: string[] = [];
    for (const t of new Set(tenants)) {
      const hit = this.entries.get(t);
      if (!hit) {
        missing.push(t);
        continue;
      }
      // Most recently used last: Map keeps insertion order.
      this.entries.delete(t);
      this.entries.set(t, hit);
      out.set(t, { ...hit, fresh: false });
    }
    if (missing.length === 0) return out;
    // Endpoints and versions in one snapshot; a tenant without endpoints still gets its row.
    const rows = await queryPrepared<Row>(
      this.ds,
      `SELECT t.tenant, COALESCE(v.version, 0)::text AS version, e.id, e.events, e.filters, e.created_at
         FROM unnest($1::text[]) AS t(tenant)
         LEFT JOIN webhook_endpoint_versions v ON v.tenant = t.tenant
         LEFT JOIN webhook_endpoints e ON e.tenant = t.tenant AND e.active`,
      [missing],
    );
    const read = new Map<string, { subscribers: Subscriber[]; version: number }>();
    for (const r of rows) {
      let entry = read.get(r.tenant);
      if (!entry) {
        entry = { subscribers: [], version: Number(r.version) };
        read.set(r.tenant, entry);
      }
      if (r.id !== null) {
        entry.subscribers.push({
          id: r.id,
          events: r.events ?? [],
          filters: r.filters ?? {},
          createdAt: r.created_at as Date,
        });
      }
    }
    for (const [t, entry] of read) {
      this.entries.set(t, entry);
      out.set(t, { ...entry, fresh: true });
    }
    while (this.entries.size > this.maxTenants) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    return out;
  }

  /** Forgets these tenants: their endpoints changed. */
  forget(tenants: Iterable<string>): void {
    for (const t of tenants) this.entries.delete(t);
  }
}
