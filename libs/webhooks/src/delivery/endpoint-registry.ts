/**
 * Endpoints as the delivery workers need them: url, scheme, and the signing keys opened
 * from their sealed form. Cached per endpoint; a change to an endpoint (trigger
 * `herald_webhook_endpoints`) drops its entry at once, and entries expire anyway so a
 * missed notification costs seconds, not correctness for long.
 */
import type { DataSource } from 'typeorm';
import type { SigningScheme } from '../endpoints/endpoint';
import type { SecretBox } from '../secrets/secret-box';
import type { SigningKeys } from '../signing/webhook-headers';

export interface LiveEndpoint {
  id: string;
  tenant: string;
  url: string;
  active: boolean;
  scheme: SigningScheme;
  keys: SigningKeys;
  /** When the previous key stops signing (epoch ms), if a grace window runs. */
  previousUntil: number | null;
}

interface EndpointKeyRow {
  id: string;
  tenant: string;
  url: string;
  active: boolean;
  signing_scheme: SigningScheme;
  secret_key_id: string;
  secret_sealed: Buffer;
  previous_secret_key_id: string | null;
  previous_secret_sealed: Buffer | null;
  previous_secret_expires_at: Date | null;
}

const TTL_MS = 30_000;

export class EndpointRegistry {
  private readonly entries = new Map<string, { endpoint: LiveEndpoint | null; until: number }>();

  constructor(
    private readonly ds: DataSource,
    private readonly box: SecretBox,
  ) {}

  invalidate(id: string): void {
    this.entries.delete(id);
  }

  invalidateAll(): void {
    this.entries.clear();
  }

  /** The endpoints asked for (null: deleted), loading the uncached ones in one query. */
  async get(ids: Iterable<string>): Promise<Map<string, LiveEndpoint | null>> {
    const now = Date.now();
    const out = new Map<string, LiveEndpoint | null>();
    const missing: string[] = [];
    for (const id of new Set(ids)) {
      const hit = this.entries.get(id);
      if (hit && hit.until > now) out.set(id, withoutExpiredPrevious(hit.endpoint, now));
      else missing.push(id);
    }
    if (missing.length === 0) return out;
    const rows = await this.ds.query<EndpointKeyRow[]>(
      `SELECT id, tenant, url, active, signing_scheme, secret_key_id, secret_sealed,
              previous_secret_key_id, previous_secret_sealed, previous_secret_expires_at
         FROM webhook_endpoints WHERE id = ANY($1::text[])`,
      [missing],
    );
    const found = new Map(rows.map((r) => [r.id, r]));
    for (const id of missing) {
      const row = found.get(id);
      const endpoint = row ? this.open(row) : null;
      this.entries.set(id, { endpoint, until: now + TTL_MS });
      out.set(id, withoutExpiredPrevious(endpoint, now));
    }
    return out;
  }

  private open(row: EndpointKeyRow): LiveEndpoint {
    const current = this.box.open(
      { keyId: row.secret_key_id, sealed: row.secret_sealed },
      { tenant: row.tenant, endpointId: row.id, slot: 'current' },
    );
    let previous: string | undefined;
    if (row.previous_secret_sealed && row.previous_secret_key_id && row.previous_secret_expires_at) {
      previous = this.box.open(
        { keyId: row.previous_secret_key_id, sealed: row.previous_secret_sealed },
        { tenant: row.tenant, endpointId: row.id, slot: 'previous' },
      );
    }
    return {
      id: row.id,
      tenant: row.tenant,
      url: row.url,
      active: row.active,
      scheme: row.signing_scheme,
      keys: previous === undefined ? { current } : { current, previous },
      previousUntil: row.previous_secret_expires_at?.getTime() ?? null,
    };
  }
}

/** After its grace window the previous key no longer signs, even before the purge clears it. */
function withoutExpiredPrevious(endpoint: LiveEndpoint | null, now: number): LiveEndpoint | null {
  if (!endpoint || endpoint.previousUntil === null || endpoint.previousUntil > now) return endpoint;
  return { ...endpoint, keys: { current: endpoint.keys.current }, previousUntil: null };
}
