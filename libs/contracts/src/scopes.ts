/** API key scopes of the public API (DESIGN.md §6). A route names the scopes it needs. */
export const SCOPES = [
  'events:read',
  'users:read',
  'posts:read',
  'webhooks:read',
  'webhooks:manage',
  'keys:read',
  'keys:manage',
  'audit:read',
  'settings:read',
  'settings:manage',
] as const;

export type Scope = (typeof SCOPES)[number];

/** The data a tenant publishes, read-only: what the demo key gets (never the keys themselves). */
export const READ_SCOPES: readonly Scope[] = ['events:read', 'users:read', 'posts:read', 'webhooks:read'];

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}
