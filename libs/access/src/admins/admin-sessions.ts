/**
 * Admin console logins and sessions. A session is a random token in an httpOnly cookie;
 * Postgres keeps only its SHA-256. The CSRF token is an HMAC of the session token, so the
 * page can ask for it again after a reload without it ever being stored; its hash is kept
 * beside the session all the same, so the row alone tells which header belongs to it.
 *
 * Login answers the same for an unknown email, a disabled admin and a wrong password, and
 * verifies a password hash in each case (a dummy one when there is none) so the three take
 * similar time. A locked account is refused before any password is verified. Every email
 * counts its failures and locks alike, whether an admin has it or not
 * (`admin_login_failures` keeps the others'), so that a lock reveals no admin.
 */
import { appendAudit, InvalidTenantError, withTenant } from '@herald/platform';
import { createHmac, hash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { adminActor, normalizeEmail } from './admin';
import { FAILURE_MEMORY_MS, lockDurationMs } from './admin-lockout';
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
      const usable = admin !== undefined && admin.disabled_at === null;
      // An email with no usable admin locks as an admin's account does: a lock must not tell
      // anyone which emails belong to admins.
      const lock = usable ? admin : await strangerLock(em, tenant, email);
      if (lock.locked_until && lock.locked_until > lock.now) {
        const retryAfterSeconds = Math.ceil((lock.locked_until.getTime() - lock.now.getTime()) / 1000);
        await audit(em, tenant, actor, 'admin.login_failed', admin?.id ?? email, {
          email,
          reason: 'locked',
          ip: ctx.ip,
        });
        return { ok: false, reason: 'locked', retryAfterSeconds };
      }
      const matches = await verifyPassword(password, admin?.password_hash ?? (await dummyPasswordHash()));
      if (!usable || !matches) {
        const { failures, lockMs } = usable
          ? await adminFailed(em, tenant, admin.id)
          : await strangerFailed(em, tenant, email);
        await audit(em, tenant, actor, 'admin.login_failed', admin?.id ?? email, {
          email,
          reason: !admin ? 'unknown_email' : usable ? 'wrong_password' : 'disabled',
          failed_attempts: failures,
          ip: ctx.ip,
        });
        if (lockMs > 0) {
          await audit(em, tenant, actor, 'admin.locked', admin?.id ?? email, {
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
        `UPDATE tenant_admins SET failed_attempts = 0, locked_until = NULL, last_failed_at = NULL, last_login_at = now()
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

interface LockState {
  locked_until: Date | null;
  now: Date;
}

/** The lock of an email no usable admin has (none when it has failed no login lately). */
async function strangerLock(em: EntityManager, tenant: string, email: string): Promise<LockState> {
  const rows: Array<LockState> = await em.query(
    `SELECT f.locked_until, n.now
       FROM (SELECT now() AS now) n
       LEFT JOIN admin_login_failures f ON f.tenant = $1 AND f.email = $2`,
    [tenant, email],
  );
  return rows[0]!;
}

interface Failed {
  /** Failures in a row, this one included. */
  failures: number;
  /** How long the lock this failure set lasts (0: none). */
  lockMs: number;
}

/**
 * Counts a failed login of an admin and locks the account when that is due. A failure more
 * than FAILURE_MEMORY_MS after the one before starts the count again.
 */
async function adminFailed(em: EntityManager, tenant: string, id: string): Promise<Failed> {
  const [rows]: [Array<{ failed_attempts: number }>, number] = await em.query(
    `UPDATE tenant_admins
        SET failed_attempts = CASE WHEN last_failed_at > now() - $3::bigint * interval '1 millisecond'
                                   THEN failed_attempts + 1 ELSE 1 END,
            last_failed_at = now()
      WHERE tenant = $1 AND id = $2
      RETURNING failed_attempts`,
    [tenant, id, FAILURE_MEMORY_MS],
  );
  return lockIfDue(em, { table: 'tenant_admins', column: 'id' }, tenant, id, rows[0]!.failed_attempts);
}

/**
 * The same for an email no usable admin has. Its row goes once it is forgotten (no failure
 * for FAILURE_MEMORY_MS, no lock left), which answers exactly as the row would: rows of
 * the tenant forgotten by now are deleted as a new one is counted.
 */
async function strangerFailed(em: EntityManager, tenant: string, email: string): Promise<Failed> {
  await em.query(
    `DELETE FROM admin_login_failures
      WHERE tenant = $1 AND email <> $2
        AND last_failed_at < now() - $3::bigint * interval '1 millisecond'
        AND (locked_until IS NULL OR locked_until < now())`,
    [tenant, email, FAILURE_MEMORY_MS],
  );
  const rows: Array<{ failed_attempts: number }> = await em.query(
    `INSERT INTO admin_login_failures AS f (tenant, email, failed_attempts, last_failed_at)
     VALUES ($1, $2, 1, now())
     ON CONFLICT (tenant, email) DO UPDATE
        SET failed_attempts = CASE WHEN f.last_failed_at > now() - $3::bigint * interval '1 millisecond'
                                   THEN f.failed_attempts + 1 ELSE 1 END,
            last_failed_at = now()
     RETURNING failed_attempts`,
    [tenant, email, FAILURE_MEMORY_MS],
  );
  return lockIfDue(
    em,
    { table: 'admin_login_failures', column: 'email' },
    tenant,
    email,
    rows[0]!.failed_attempts,
  );
}

/** Locks the tenant's row whose `column` is `key` for as long as `failures` in a row call for. */
async function lockIfDue(
  em: EntityManager,
  row: { table: 'tenant_admins'; column: 'id' } | { table: 'admin_login_failures'; column: 'email' },
  tenant: string,
  key: string,
  failures: number,
): Promise<Failed> {
  const lockMs = lockDurationMs(failures);
  if (lockMs > 0) {
    await em.query(
      `UPDATE ${row.table} SET locked_until = now() + $3::bigint * interval '1 millisecond'
        WHERE tenant = $1 AND ${row.column} = $2`,
      [tenant, key, lockMs],
    );
  }
  return { failures, lockMs };
}
