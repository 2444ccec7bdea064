/**
 * The tenants registry. Creating a tenant is an operator action (system scope, not
 * tenant scope): it runs as the schema owner and seeds the tenant's settings row.
 */
import { DataSource } from 'typeorm';
import { InvalidTenantError, TENANT_SLUG } from './tenant-scope';

export class TenantExistsError extends Error {
  readonly code = 'tenant_exists';
  constructor(slug: string) {
    super(`tenant "${slug}" already exists`);
  }
}

export interface Tenant {
  slug: string;
  name: string;
  createdAt: Date;
}

export class TenantsRepository {
  constructor(private readonly ds: DataSource) {}

  async create(slug: string, name?: string): Promise<Tenant> {
    if (!TENANT_SLUG.test(slug)) throw new InvalidTenantError(slug);
    return this.ds.transaction(async (em) => {
      const rows: Array<{ slug: string; name: string; created_at: Date }> = await em.query(
        `INSERT INTO tenants (slug, name) VALUES ($1, $2)
         ON CONFLICT (slug) DO NOTHING
         RETURNING slug, name, created_at`,
        [slug, name ?? slug],
      );
      const row = rows[0];
      if (!row) throw new TenantExistsError(slug);
      await em.query(`INSERT INTO tenant_settings (tenant) VALUES ($1)`, [slug]);
      return { slug: row.slug, name: row.name, createdAt: row.created_at };
    });
  }

  /** Creates the tenant unless it exists; true when it was created. */
  async ensure(slug: string, name?: string): Promise<boolean> {
    try {
      await this.create(slug, name);
      return true;
    } catch (err) {
      if (err instanceof TenantExistsError) return false;
      throw err;
    }
  }

  async exists(slug: string): Promise<boolean> {
    const rows: unknown[] = await this.ds.query(
      `SELECT 1 FROM tenants WHERE slug = $1 AND disabled_at IS NULL`,
      [slug],
    );
    return rows.length > 0;
  }

  async list(): Promise<Tenant[]> {
    const rows: Array<{ slug: string; name: string; created_at: Date }> = await this.ds.query(
      `SELECT slug, name, created_at FROM tenants ORDER BY slug`,
    );
    return rows.map((r) => ({ slug: r.slug, name: r.name, createdAt: r.created_at }));
  }
}
