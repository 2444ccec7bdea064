/**
 * Refuses, in production, a tenant-scoped pool whose login could leave its tenant: a
 * superuser, a BYPASSRLS role, or one owning the schema's tables (and so able to switch
 * row-level security off). Without HERALD_DATABASE_APP_URL that pool is the owner's own.
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

/** Why a login with `p` must not serve tenant-scoped work, or undefined when it may. */
export function tenantLoginProblem(p: LoginPrivileges): string | undefined {
  if (p.superuser) return `"${p.role}" is a superuser`;
  if (p.bypassRls) return `"${p.role}" has BYPASSRLS`;
  if (p.ownedRelations > 0) return `"${p.role}" owns ${p.ownedRelations} relations of the schema`;
  return undefined;
}

/** Production only: throws a one-line ConfigError unless HERALD_DATABASE_ALLOW_PRIVILEGED_APP=true. */
export async function assertTenantLogin(config: HeraldConfig): Promise<void> {
  if (config.env !== 'production' || config.databaseAllowPrivilegedApp) return;
  const url = config.databaseAppUrl ?? config.databaseUrl;
  if (!url) return;
  const ds = await createDataSource({ url, poolSize: 1, scope: 'tenant' }).initialize();
  let problem: string | undefined;
  try {
    problem = tenantLoginProblem(await loginPrivileges(ds));
  } finally {
    await ds.destroy();
  }
  if (problem) {
    const which = config.databaseAppUrl
      ? 'HERALD_DATABASE_APP_URL'
      : 'DATABASE_URL (HERALD_DATABASE_APP_URL is unset)';
    throw new ConfigError(
      `tenant-scoped queries would log in as ${which}, and ${problem}: set HERALD_DATABASE_APP_URL to the herald_app login (docs/operations.md), or HERALD_DATABASE_ALLOW_PRIVILEGED_APP=true`,
    );
  }
}

/**
 * `herald dev` (and tests): lets `herald_app` log in to the owner's server and returns the
 * URL of that login, or undefined when the owner may not change the role or the login does
 * not work there (then tenant work stays on the owner's pool, switching role per
 * transaction). The password is derived from the owner's, so every `herald dev` sharing a
 * server agrees on it whatever its data dir; the server is sent a SCRAM verifier of it.
 */
export async function provisionAppLogin(owner: DataSource, ownerUrl: string): Promise<string | undefined> {
  const url = new URL(ownerUrl);
  // An owner without a password has nothing to derive a secret from.
  if (!url.password) return undefined;
  const password = createHmac('sha256', decodeURIComponent(url.password))
    .update(`herald_app for ${decodeURIComponent(url.username)}`)
    .digest('base64url');
  try {
    await owner.query(`ALTER ROLE herald_app WITH LOGIN PASSWORD '${scramVerifier(password)}'`);
  } catch (err) {
    if ((err as { code?: string }).code === '42501') return undefined; // insufficient_privilege
    throw err;
  }
  url.username = 'herald_app';
  url.password = password;
  const app = createDataSource({ url: url.toString(), poolSize: 1, scope: 'tenant' });
  try {
    await app.initialize();
    return url.toString();
  } catch {
    return undefined; // e.g. the server admits this login by no rule of pg_hba.conf
  } finally {
    if (app.isInitialized) await app.destroy();
  }
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
