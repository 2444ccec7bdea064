/**
 * The demo tenant's console admin for `herald dev`: created on the first start with a
 * generated password, which is kept beside the service token in the data dir's
 * secrets.json (0600) and printed that once; later starts say where it is.
 */
import { AdminsRepository, generatePassword } from '@herald/access';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DataSource } from 'typeorm';

export interface DevAdmin {
  email: string;
  /** Set when this start created the admin: the one time the password is printed. */
  newPassword: string | undefined;
  secretsFile: string;
  /** False when the admin exists but secrets.json has no password for it (a data dir was reset). */
  passwordKept: boolean;
}

export function devAdminEmail(tenant: string): string {
  return `admin@${tenant}.localhost`;
}

export async function ensureDevAdmin(ds: DataSource, dataDir: string, tenant: string): Promise<DevAdmin> {
  const email = devAdminEmail(tenant);
  const secretsFile = path.join(dataDir, 'secrets.json');
  const secrets = readSecrets(secretsFile);
  const repo = new AdminsRepository(ds);
  const existing = await repo.find(tenant, email);
  const kept = typeof secrets.admin_password === 'string' ? secrets.admin_password : undefined;
  if (existing) return { email, newPassword: undefined, secretsFile, passwordKept: kept !== undefined };
  const password = kept ?? generatePassword();
  if (kept === undefined) writeSecrets(secretsFile, { ...secrets, admin_password: password });
  await repo.create({ tenant, email, password, actor: 'herald-dev' });
  return { email, newPassword: kept === undefined ? password : undefined, secretsFile, passwordKept: true };
}

/** The line `herald dev` prints about the console. */
export function devAdminLine(admin: DevAdmin, url: string): string {
  if (admin.newPassword !== undefined) {
    return `  admin       ${url}  ${admin.email} / ${admin.newPassword}  (password shown once; kept in ${admin.secretsFile})`;
  }
  if (!admin.passwordKept) {
    return `  admin       ${url}  ${admin.email} (its password is not in ${admin.secretsFile}: create another with \`herald admins create\`)`;
  }
  return `  admin       ${url}  ${admin.email} (password: admin_password in ${admin.secretsFile})`;
}

function readSecrets(file: string): Record<string, unknown> {
  if (!fs.existsSync(file)) return {};
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
}

function writeSecrets(file: string, secrets: Record<string, unknown>): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(secrets) + '\n', { mode: 0o600 });
  fs.renameSync(tmp, file);
}
