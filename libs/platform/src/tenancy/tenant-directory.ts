/**
 * Which tenants exist, cached briefly: every ingest request and translated event asks,
 * and a round trip per event would dominate the hot path. A new tenant is seen within
 * the negative TTL; a known one is re-checked after the positive TTL.
 */
import { DataSource } from 'typeorm';

export class TenantDirectory {
  private readonly known = new Map<string, number>();
  private readonly unknown = new Map<string, number>();

  constructor(
    private readonly ds: DataSource,
    private readonly ttl = { positiveMs: 30_000, negativeMs: 2_000 },
  ) {}

  /** The subset of `slugs` that are existing, enabled tenants (one query for all misses). */
  async existing(slugs: Iterable<string>): Promise<Set<string>> {
    const now = Date.now();
    const out = new Set<string>();
    const misses: string[] = [];
    for (const slug of new Set(slugs)) {
      if ((this.known.get(slug) ?? 0) > now) out.add(slug);
      else if ((this.unknown.get(slug) ?? 0) <= now) misses.push(slug);
    }
    if (misses.length > 0) {
      const rows: Array<{ slug: string }> = await this.ds.query(
        `SELECT slug FROM tenants WHERE slug = ANY($1::text[]) AND disabled_at IS NULL`,
        [misses],
      );
      const found = new Set(rows.map((r) => r.slug));
      for (const slug of misses) {
        if (found.has(slug)) {
          this.known.set(slug, now + this.ttl.positiveMs);
          this.unknown.delete(slug);
          out.add(slug);
        } else {
          this.unknown.set(slug, now + this.ttl.negativeMs);
        }
      }
    }
    return out;
  }

  async exists(slug: string): Promise<boolean> {
    return (await this.existing([slug])).has(slug);
  }
}
