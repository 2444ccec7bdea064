/**
 * Tenant admins in Postgres, managed by operators (`herald admins …`). Every statement runs
 * through `withTenant`, so row-level security keeps each tenant's admins to itself.
 */
import { newUlid } from '@herald/contracts';
import { appendAudit, InvalidTenantError, withTenant } from '@herald/platform';
import type { DataSource, EntityManager } from 'typeorm';
import { UnknownTenantError } from '../keys/api-key';
import {
  AdminExistsError,
  AdminInputError,
  AdminNotFoundError,
  AdminView,
  CreatedAdmin,
  DisableResult,
  normalizeEmail,
} from './admin';
import {
  assertAcceptablePassword,
  generatePassword,
  hashPassword,
  WeakPasswordError,
} from './admin-password';

export interface CreateAdminInput {
  tenant: string;
  email: string;
  /** Omitted: one is generated and returned once. */
  password?: string;
  actor: string;
}

interface AdminRow {
  id: string;
  tenant: string;
  email: string;
  created_at: Date;
  last_login_at: Date | null;
  locked_until: Date | null;
  disabled_at: Date | null;
}

const VIEW_COLUMNS = 'id, tenant, email, created_at, last_login_at, locked_until, disabled_at';

export class AdminsRepository {
  constructor(private readonly ds: DataSource) {}

  /** Creates an admin and records `admin.created` in the same transaction. */
  async create(input: CreateAdminInput): Promise<CreatedAdmin> {
    const email = emailOf(input.email);
    const generated = input.password === undefined ? generatePassword() : undefined;
    const password = input.password ?? generated!;
    try {
      assertAcceptablePassword(password);
    } catch (err) {
      if (err instanceof WeakPasswordError) throw new AdminInputError(err.message);
      throw err;
    }
    const hash = await hashPassword(password);
    const id = `adm_${newUlid()}`;
    return this.scoped(input.tenant, async (em) => {
      await assertTenant(em, input.tenant);
      const rows: AdminRow[] = await em.query(
        `INSERT INTO tenant_admins (id, tenant, email, password_hash) VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant, email) DO NOTHING
         RETURNING ${VIEW_COLUMNS}`,
        [id, input.tenant, email, hash],
      );
      if (!rows[0]) throw new AdminExistsError(email, input.tenant);
      await appendAudit(em, {
        tenant: input.tenant,
        actor: input.actor,
        action: 'admin.created',
        targetType: 'admin',
        targetId: id,
        details: { email },
      });
      return { ...toView(rows[0]), generatedPassword: generated };
    });
  }

  /** Every admin of the tenant, oldest first, disabled ones included; never the hash. */
  async list(tenant: string): Promise<AdminView[]> {
    return this.scoped(tenant, async (em) => {
      await assertTenant(em, tenant);
      const rows: AdminRow[] = await em.query(
        `SELECT ${VIEW_COLUMNS} FROM tenant_admins WHERE tenant = $1 ORDER BY created_at, id`,
        [tenant],
      );
      return rows.map(toView);
    });
  }

  async find(tenant: string, rawEmail: string): Promise<AdminView | undefined> {
    const email = normalizeEmail(rawEmail);
    if (!email) return undefined;
    return this.scoped(tenant, async (em) => {
      const rows: AdminRow[] = await em.query(
        `SELECT ${VIEW_COLUMNS} FROM tenant_admins WHERE tenant = $1 AND email = $2`,
        [tenant, email],
      );
      return rows[0] ? toView(rows[0]) : undefined;
    });
  }

  /**
   * Disables an admin and revokes every session of theirs, recording `admin.disabled`.
   * Disabling a disabled admin is a no-op that says so (and writes no second audit row).
   */
  async disable(tenant: string, rawEmail: string, actor: string): Promise<DisableResult> {
    const email = emailOf(rawEmail);
    return this.scoped(tenant, async (em) => {
      await assertTenant(em, tenant);
      const [updated]: [AdminRow[], number] = await em.query(
        `UPDATE tenant_admins SET disabled_at = now()
         WHERE tenant = $1 AND email = $2 AND disabled_at IS NULL
         RETURNING ${VIEW_COLUMNS}`,
        [tenant, email],
      );
      const row = updated[0];
      if (!row) {
        const existing: AdminRow[] = await em.query(
          `SELECT ${VIEW_COLUMNS} FROM tenant_admins WHERE tenant = $1 AND email = $2`,
          [tenant, email],
        );
        if (!existing[0]) throw new AdminNotFoundError(email, tenant);
        return { admin: toView(existing[0]), alreadyDisabled: true, revokedSessions: 0 };
      }
      const [, revokedSessions]: [unknown[], number] = await em.query(
        `UPDATE admin_sessions SET revoked_at = now()
         WHERE tenant = $1 AND admin_id = $2 AND revoked_at IS NULL`,
        [tenant, row.id],
      );
      await appendAudit(em, {
        tenant,
        actor,
        action: 'admin.disabled',
        targetType: 'admin',
        targetId: row.id,
        details: { email, revoked_sessions: revokedSessions },
      });
      return { admin: toView(row), alreadyDisabled: false, revokedSessions };
    });
  }

  private scoped<T>(tenant: string, work: (em: EntityManager) => Promise<T>): Promise<T> {
    return withTenant(this.ds, tenant, work).catch((err: unknown) => {
      if (err instanceof InvalidTenantError) throw new UnknownTenantError(tenant);
      throw err;
    });
  }
}

function emailOf(raw: string): string {
  const email = normalizeEmail(raw);
  if (!email) throw new AdminInputError(`"${raw.slice(0, 80)}" is not an email address`);
  return email;
}

/** Admins of a disabled tenant can still be listed and disabled, like its keys. */
async function assertTenant(em: EntityManager, tenant: string): Promise<void> {
  const rows: unknown[] = await em.query(`SELECT 1 FROM tenants WHERE slug = $1`, [tenant]);
  if (rows.length === 0) throw new UnknownTenantError(tenant);
}

function toView(row: AdminRow): AdminView {
  return {
    id: row.id,
    tenant: row.tenant,
    email: row.email,
    createdAt: row.created_at,
    lastLoginAt: row.last_login_at,
    lockedUntil: row.locked_until,
    disabledAt: row.disabled_at,
  };
}
