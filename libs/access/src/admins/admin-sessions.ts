/**
 * Admin console logins and sessions. A session is a random token in an httpOnly cookie;
 * Postgres keeps only its SHA-256. The CSRF token is an HMAC of the session token, so the
 * page can ask for it again after a reload without it ever being stored; its hash is kept
 * beside the session all the same, so the row alone tells which header belongs to it.
 *
 * Login answers the same for an unknown email, a disabled admin and a wrong password, and
 * verifies a password hash in each case (a dummy one when there is none) so the three take
 * similar time. A locked account is refused before any password is verified.
 */
import { appendAudit, InvalidTenantError, withTenant } from '@herald/platform';
import { createHmac, hash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { adminActor, normalizeEmail } from './admin';
import { lockDurationMs } from './admin-lockout';
import { dummyPasswordHash, verifyPassword } from './admin-password';

export interface AdminSessionPolicy {
  idleTimeoutMs: number;
  ttlMs: number;
}

export interface AdminSession {
  tenant: string;
  /** The tenant's display name. */
  tenantName: string;
  adminId: string;
  email: string;
  /** The SHA-256 of the cookie token, hex: a stable handle for rate limits and logs. */
  handle: string;
  csrfToken: string;
  expiresAt: Date;
}

export interface NewAdminSession extends AdminSession {
  /** The cookie value; exists only in this answer and the browser. */
  token: string;
}

export type LoginResult =
  | { ok: true; session: NewAdminSession }
  | { ok: false; reason: 'invalid_credentials' }
  | { ok: false; reason: 'locked'; retryAfterSeconds: number };

export interface LoginContext {
  ip?: string;
}

interface LoginRow {
  id: string;
  email: string;
  password_hash: string;
  disabled_at: Date | null;
  failed_attempts: number;
  locked_until: Date | null;
  now: Date;
}

const TOKEN_BYTES = 32;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export class AdminSessions {
  constructor(
    private readonly ds: DataSource,
    private readonly policy: AdminSessionPolicy,
  ) {
    // Made now, so the first login for an unknown email takes no longer than any other.
    void dummyPasswordHash();
  }

  async login(
    tenant: string,
    rawEmail: string,
    password: string,
    ctx: LoginContext = {},
  ): Promise<LoginResult> {
    const email = normalizeEmail(rawEmail);
    if (!email) {
      await verifyPassword(password, await dummyPasswordHash());
      return { ok: false, reason: 'invalid_credentials' };
    }
    const actor = adminActor(email);
    return this.scoped(tenant, async (em) => {
      // Locked FOR UPDATE: concurrent attempts on one account are counted one after another.
      const rows: LoginRow[] = await em.query(
        `SELECT id, email, password_hash, disabled_at, failed_attempts, locked_until, now() AS now
         FROM tenant_admins WHERE tenant = $1 AND email = $2 FOR UPDATE`,
        [tenant, email],
      );
      const admin = rows[0];
      if (admin && admin.disabled_at === null && admin.locked_until && admin.locked_until > admin.now) {
        const retryAfterSeconds = Math.ceil((admin.locked_until.getTime() - admin.now.getTime()) / 1000);
        await audit(em, tenant, actor, 'admin.login_failed', admin.id, {
          email,
          reason: 'locked',
          ip: ctx.ip,
        });
        return { ok: false, reason: 'locked', retryAfterSeconds };
      }
      const matches = await verifyPassword(password, admin?.password_hash ?? (await dummyPasswordHash()));
      if (!admin || admin.disabled_at !== null) {
        await audit(em, tenant, actor, 'admin.login_failed', admin?.id ?? email, {
          email,
          reason: admin ? 'disabled' : 'unknown_email',
          ip: ctx.ip,
        });
        return { ok: false, reason: 'invalid_credentials' };
      }
      if (!matches) {
        const failures = admin.failed_attempts + 1;
        const lockMs = lockDurationMs(failures);
        await em.query(
          `UPDATE tenant_admins
           SET failed_attempts = $3,
               locked_until = CASE WHEN $4::bigint > 0 THEN now() + $4::bigint * interval '1 millisecond' ELSE locked_until END
           WHERE tenant = $1 AND id = $2`,
          [tenant, admin.id, failures, lockMs],
        );
        await audit(em, tenant, actor, 'admin.login_failed', admin.id, {
          email,
          reason: 'wrong_password',
          failed_attempts: failures,
          ip: ctx.ip,
        });
        if (lockMs > 0) {
          await audit(em, tenant, actor, 'admin.locked', admin.id, {
            email,
            failed_attempts: failures,
            locked_seconds: lockMs / 1000,
          });
          return { ok: false, reason: 'locked', retryAfterSeconds: Math.ceil(lockMs / 1000) };
        }
        return { ok: false, reason: 'invalid_credentials' };
      }

      const token = randomBytes(TOKEN_BYTES).toString('base64url');
      const id = sessionId(token);
      const csrfToken = csrfTokenOf(token);
      const [created]: Array<{ expires_at: Date; tenant_name: string }> = await em.query(
        `INSERT INTO admin_sessions (id, tenant, admin_id, csrf_hash, expires_at)
         VALUES ($1, $2, $3, $4, now() + $5::bigint * interval '1 millisecond')
         RETURNING expires_at, (SELECT name FROM tenants WHERE slug = $2) AS tenant_name`,
        [id, tenant, admin.id, sha256(csrfToken), this.policy.ttlMs],
      );
      await em.query(
        `UPDATE tenant_admins SET failed_attempts = 0, locked_until = NULL, last_login_at = now()
         WHERE tenant = $1 AND id = $2`,
        [tenant, admin.id],
      );
      await audit(em, tenant, actor, 'admin.login', admin.id, { email, ip: ctx.ip });
      return {
        ok: true,
        session: {
          tenant,
          tenantName: created!.tenant_name,
          adminId: admin.id,
          email: admin.email,
          handle: id.toString('hex'),
          csrfToken,
          expiresAt: created!.expires_at,
          token,
        },
      };
    });
  }

  /**
   * The live session of this cookie token within `tenant`, its idle clock restarted; null
   * when it is unknown, of another tenant, revoked, idle or past its end, or its admin is
   * disabled.
   */
  async resume(tenant: string, token: string): Promise<AdminSession | null> {
    if (!TOKEN_SHAPE.test(token)) return null;
    const id = sessionId(token);
    const rows = await this.scoped(tenant, async (em) => {
      const [updated]: [
        Array<{ admin_id: string; email: string; expires_at: Date; csrf_hash: Buffer; tenant_name: string }>,
        number,
      ] = await em.query(
        `UPDATE admin_sessions s SET last_seen_at = now()
           FROM tenant_admins a, tenants t
           WHERE s.id = $1 AND s.tenant = $2 AND a.tenant = s.tenant AND a.id = s.admin_id
             AND t.slug = s.tenant AND t.disabled_at IS NULL AND a.disabled_at IS NULL AND s.revoked_at IS NULL AND s.expires_at > now()
             AND s.last_seen_at > now() - $3::bigint * interval '1 millisecond'
           RETURNING s.admin_id, a.email, s.expires_at, s.csrf_hash, t.name AS tenant_name`,
        [id, tenant, this.policy.idleTimeoutMs],
      );
      return updated;
    });
    const row = rows[0];
    if (!row) return null;
    const csrfToken = csrfTokenOf(token);
    // The row proves which CSRF token belongs to it: a token from any other derivation is refused.
    if (!sameBytes(sha256(csrfToken), row.csrf_hash)) return null;
    return {
      tenant,
      tenantName: row.tenant_name,
      adminId: row.admin_id,
      email: row.email,
      handle: id.toString('hex'),
      csrfToken,
      expiresAt: row.expires_at,
    };
  }

  /** Ends the session of this token (if it is live) and records `admin.logout`. */
  async logout(tenant: string, token: string): Promise<boolean> {
    if (!TOKEN_SHAPE.test(token)) return false;
    return this.scoped(tenant, async (em) => {
      const [revoked]: [Array<{ admin_id: string; email: string }>, number] = await em.query(
        `UPDATE admin_sessions s SET revoked_at = now()
         FROM tenant_admins a
         WHERE s.id = $1 AND s.tenant = $2 AND a.tenant = s.tenant AND a.id = s.admin_id AND s.revoked_at IS NULL
         RETURNING s.admin_id, a.email`,
        [sessionId(token), tenant],
      );
      const row = revoked[0];
      if (!row) return false;
      await audit(em, tenant, adminActor(row.email), 'admin.logout', row.admin_id, { email: row.email });
      return true;
    });
  }

  /** True when the presented CSRF token is this session's (compared in constant time). */
  static csrfMatches(session: AdminSession, presented: string): boolean {
    return sameBytes(sha256(presented), sha256(session.csrfToken));
  }

  private scoped<T>(tenant: string, work: (em: EntityManager) => Promise<T>): Promise<T> {
    return withTenant(this.ds, tenant, work).catch((err: unknown) => {
      if (err instanceof InvalidTenantError) throw new Error(`invalid tenant ${JSON.stringify(tenant)}`);
      throw err;
    });
  }
}

function sessionId(token: string): Buffer {
  return sha256(token);
}

function csrfTokenOf(token: string): string {
  return createHmac('sha256', token).update('herald admin csrf v1').digest('base64url');
}

function sha256(text: string): Buffer {
  return hash('sha256', text, 'buffer');
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function audit(
  em: EntityManager,
  tenant: string,
  actor: string,
  action: 'admin.login' | 'admin.login_failed' | 'admin.locked' | 'admin.logout',
  targetId: string,
  details: Record<string, unknown>,
): Promise<void> {
  return appendAudit(em, { tenant, actor, action, targetType: 'admin', targetId, details });
}
