/**
 * Refuses, in production, a tenant-scoped or system pool whose login could leave the rules:
 * a superuser, a BYPASSRLS role, or one owning the schema's tables (and so able to switch
 * row-level security off). Sets up the `herald_app` and `herald_system` logins for
 * `herald dev` and tests.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ConfigError, HeraldConfig } from '../config';
import { createDataSource } from './data-source';

export interface LoginPrivileges {
  role: string;
  superuser: boolean;
  bypassRls: boolean;
  /** Relations of the public schema the login owns, directly or through a role it inherits. */
  ownedRelations: number;
}

/** What the login of `ds` may do that a tenant-scoped session must not. */
export async function loginPrivileges(ds: DataSource): Promise<LoginPrivileges> {
  const [row]: Array<{ role: string; superuser: boolean; bypass_rls: boolean; owned: number }> =
    await ds.query(`
      SELECT r.rolname AS role, r.rolsuper AS superuser, r.rolbypassrls AS bypass_rls,
             (SELECT count(*)::int FROM pg_class c
               WHERE c.relnamespace = 'public'::regnamespace
                 AND pg_has_role(session_user, c.relowner, 'USAGE')) AS owned
        FROM pg_roles r WHERE r.rolname = session_user`);
  if (!row) throw new Error('the database login has no pg_roles row');
  return { role: row.role, superuser: row.superuser, bypassRls: row.bypass_rls, ownedRelations: row.owned };
}

/** Why a login with `p` must not serve a role (tenant-scoped or system work), or undefined when it may. */
export function privilegedLoginProblem(p: LoginPrivileges): string | undefined {
  if (p.superuser) return `"${p.role}" is a superuser`;
  if (p.bypassRls) return `"${p.role}" has BYPASSRLS`;
  if (p.ownedRelations > 0) return `"${p.role}" owns ${p.ownedRelations} relations of the schema`;
  return undefined;
}

/** One pool's login as production checks it: which variable configures it, and its URL. */
interface CheckedLogin {
  purpose: string;
  variable: string;
  url: string;
  fix: string;
}

/**
 * The logins a role process would use for tenant-scoped and for cross-tenant work. Without
 * HERALD_DATABASE_APP_URL tenant work runs on the system pool; without
 * HERALD_DATABASE_SYSTEM_URL the system pool is the owner's (DATABASE_URL).
 */
function loginsToCheck(config: HeraldConfig): CheckedLogin[] {
  const system = config.databaseSystemUrl
    ? { variable: 'HERALD_DATABASE_SYSTEM_URL', url: config.databaseSystemUrl }
    : config.databaseUrl
      ? { variable: 'DATABASE_URL (HERALD_DATABASE_SYSTEM_URL is unset)', url: config.databaseUrl }
      : undefined;
  const tenant = config.databaseAppUrl
    ? { variable: 'HERALD_DATABASE_APP_URL', url: config.databaseAppUrl }
    : system && {
        variable: config.databaseSystemUrl
          ? 'HERALD_DATABASE_SYSTEM_URL (HERALD_DATABASE_APP_URL is unset)'
          : 'DATABASE_URL (HERALD_DATABASE_APP_URL is unset)',
        url: system.url,
      };
  const logins: CheckedLogin[] = [];
  if (tenant)
    logins.push({
      ...tenant,
      purpose: 'tenant-scoped queries',
      fix: 'set HERALD_DATABASE_APP_URL to the herald_app login',
    });
  if (system)
    logins.push({
      ...system,
      purpose: "the roles' cross-tenant work",
      fix: 'set HERALD_DATABASE_SYSTEM_URL to the herald_system login',
    });
  return logins;
}

/**
 * Production only: throws a one-line ConfigError when the tenant-scoped or the system pool
 * would log in as a superuser, a BYPASSRLS role or an owner of the schema, unless
 * HERALD_DATABASE_ALLOW_PRIVILEGED_APP=true. Migrations alone need the owner.
 */
export async function assertLeastPrivilege(config: HeraldConfig): Promise<void> {
  if (config.env !== 'production' || config.databaseAllowPrivilegedApp) return;
  for (const login of loginsToCheck(config)) {
    const ds = await createDataSource({ url: login.url, poolSize: 1, scope: 'tenant' }).initialize();
    let problem: string | undefined;
    try {
      problem = privilegedLoginProblem(await loginPrivileges(ds));
    } finally {
      await ds.destroy();
    }
    if (problem) {
      throw new ConfigError(
        `${login.purpose} would log in as ${login.variable}, and ${problem}: ${login.fix} (docs/operations.md, "Database roles"), or HERALD_DATABASE_ALLOW_PRIVILEGED_APP=true`,
      );
    }
  }
}

/** The logins `herald dev` (and tests) set up beside the owner. */
export type HeraldLogin = 'herald_app' | 'herald_system';

/**
 * `herald dev` (and tests): lets `role` (a login the migrations created) log in to the
 * owner's server and returns the URL of that login, or undefined when the owner may not
 * change the role or the login does not work there (then that work stays on the owner's
 * pool). The password is derived from the owner's, so every `herald dev` sharing a server
 * agrees on it whatever its data dir; the server is sent a SCRAM verifier of it.
 */
export async function provisionLogin(
  owner: DataSource,
  ownerUrl: string,
  role: HeraldLogin,
): Promise<string | undefined> {
  const url = loginUrl(ownerUrl, role);
  if (!url) return undefined;
  try {
    const password = decodeURIComponent(new URL(url).password);
    await owner.query(`ALTER ROLE ${role} WITH LOGIN PASSWORD '${scramVerifier(password)}'`);
  } catch (err) {
    if ((err as { code?: string }).code === '42501') return undefined; // insufficient_privilege
    throw err;
  }
  const login = createDataSource({ url, poolSize: 1, scope: 'tenant' });
  try {
    await login.initialize();
    return url;
  } catch {
    return undefined; // e.g. the server admits this login by no rule of pg_hba.conf
  } finally {
    if (login.isInitialized) await login.destroy();
  }
}

/**
 * The URL `role` logs in with once `provisionLogin` set it up on `ownerUrl`'s server: the
 * owner's URL (same server and database) with the role's name and a password derived from
 * the owner's. Undefined for an owner without a password.
 */
export function loginUrl(ownerUrl: string, role: HeraldLogin): string | undefined {
  const url = new URL(ownerUrl);
  // An owner without a password has nothing to derive a secret from.
  if (!url.password) return undefined;
  url.password = createHmac('sha256', decodeURIComponent(url.password))
    .update(`${role} for ${decodeURIComponent(url.username)}`)
    .digest('base64url');
  url.username = role;
  return url.toString();
}

/**
 * A SCRAM-SHA-256 verifier as Postgres stores it (RFC 7677; 4096 iterations, its default).
 * For ASCII passwords, which SASLprep leaves as they are.
 */
export function scramVerifier(password: string, salt = randomBytes(16), iterations = 4096): string {
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}
