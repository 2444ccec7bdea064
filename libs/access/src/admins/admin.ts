/** Tenant admins of the admin console: what the repository returns and the errors it throws. */

export interface AdminView {
  id: string;
  tenant: string;
  email: string;
  createdAt: Date;
  lastLoginAt: Date | null;
  lockedUntil: Date | null;
  disabledAt: Date | null;
}

export interface CreatedAdmin extends AdminView {
  /** The generated password, shown once; undefined when the operator supplied one. */
  generatedPassword: string | undefined;
}

export interface DisableResult {
  admin: AdminView;
  alreadyDisabled: boolean;
  revokedSessions: number;
}

/** Bad input to an admin operation, phrased as the one line an operator needs. */
export class AdminInputError extends Error {
  readonly code: string = 'invalid_admin_input';
}

export class AdminExistsError extends AdminInputError {
  override readonly code = 'admin_exists';
  constructor(email: string, tenant: string) {
    super(`tenant "${tenant}" already has an admin ${email}`);
  }
}

export class AdminNotFoundError extends AdminInputError {
  override readonly code = 'admin_not_found';
  constructor(email: string, tenant: string) {
    super(`no admin ${email} in tenant "${tenant}"`);
  }
}

// One address, no spaces or angle brackets: what a login form and a terminal can both carry.
const EMAIL = /^[^\s@<>"]{1,64}@[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** The stored form of an email (lowercased, trimmed), or undefined when it is not one. */
export function normalizeEmail(raw: string): string | undefined {
  const email = raw.trim().toLowerCase();
  return email.length <= 254 && EMAIL.test(email) ? email : undefined;
}

/** Who did it, in audit rows and `ApiCaller.actor`. */
export function adminActor(email: string): string {
  return `admin:${email}`;
}
