/**
 * Per-tenant delivery settings (retry schedule, attempt timeout), read from
 * `tenant_settings` with the deployment defaults behind them, cached briefly. A change
 * is announced on `herald_tenant_settings` (a trigger on the table) and drops the
 * tenant's entry at once, so it applies to the next attempt; the short lifetime covers
 * announcements lost while the listener was reconnecting.
 */
import type { DataSource } from 'typeorm';

export interface DeliverySettings {
  /** Delay before each attempt, in ms; its length is the number of attempts. */
  retrySchedule: number[];
  attemptTimeoutMs: number;
}

const TTL_MS = 5_000;
/** The attempt timeout of a tenant without its own setting (the column's default too). */
export const DEFAULT_ATTEMPT_TIMEOUT_MS = 10_000;

export class DeliverySettingsCache {
  private readonly entries = new Map<string, { settings: DeliverySettings; until: number }>();

  constructor(
    private readonly ds: DataSource,
    private readonly defaultSchedule: readonly number[],
  ) {}

  /** Settings of every tenant asked for, in one query for those not cached. */
  async forTenants(tenants: Iterable<string>): Promise<Map<string, DeliverySettings>> {
    const now = Date.now();
    const out = new Map<string, DeliverySettings>();
    const missing: string[] = [];
    for (const t of new Set(tenants)) {
      const hit = this.entries.get(t);
      if (hit && hit.until > now) out.set(t, hit.settings);
      else missing.push(t);
    }
    if (missing.length === 0) return out;
    const rows = await this.ds.query<
      Array<{ tenant: string; retry_schedule_ms: number[] | null; attempt_timeout_ms: number }>
    >(
      `SELECT tenant, retry_schedule_ms, attempt_timeout_ms FROM tenant_settings WHERE tenant = ANY($1::text[])`,
      [missing],
    );
    const found = new Map(rows.map((r) => [r.tenant, r]));
    for (const t of missing) {
      const r = found.get(t);
      const settings: DeliverySettings = {
        retrySchedule:
          r?.retry_schedule_ms && r.retry_schedule_ms.length > 0
            ? r.retry_schedule_ms
            : [...this.defaultSchedule],
        attemptTimeoutMs: r?.attempt_timeout_ms ?? DEFAULT_ATTEMPT_TIMEOUT_MS,
      };
      this.entries.set(t, { settings, until: now + TTL_MS });
      out.set(t, settings);
    }
    return out;
  }

  /** Forgets a tenant's settings: they changed. */
  invalidate(tenant: string): void {
    this.entries.delete(tenant);
  }

  invalidateAll(): void {
    this.entries.clear();
  }

  /** The attempt timeout last read for this tenant, if any (no query). */
  cachedTimeoutMs(tenant: string): number | undefined {
    return this.entries.get(tenant)?.settings.attemptTimeoutMs;
  }

  async forTenant(tenant: string): Promise<DeliverySettings> {
    const map = await this.forTenants([tenant]);
    return map.get(tenant) as DeliverySettings;
  }
}
