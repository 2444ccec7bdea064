/**
 * The append-only audit log (the database refuses UPDATE, DELETE and TRUNCATE on it).
 * Rows are written inside the caller's transaction, so an action and its audit row
 * commit or roll back together. Shared by every context that changes configuration.
 */
import type { EntityManager } from 'typeorm';

export type AuditAction =
  | 'api_key.created'
  | 'api_key.revoked'
  | 'oauth_client.created'
  | 'oauth_client.revoked'
  | 'webhook_endpoint.created'
  | 'webhook_endpoint.updated'
  | 'webhook_endpoint.deleted'
  | 'webhook_endpoint.secret_rotated'
  | 'webhook_endpoint.disabled'
  | 'webhook_endpoint.enabled'
  | 'webhook_endpoint.auto_disabled'
  | 'admin.created'
  | 'admin.disabled'
  | 'admin.login'
  | 'admin.login_failed'
  | 'admin.locked'
  | 'admin.logout'
  | 'tenant_settings.updated';

export type AuditTargetType = 'api_key' | 'oauth_client' | 'webhook_endpoint' | 'admin' | 'tenant_settings';

export interface AuditEntry {
  tenant: string;
  actor: string;
  action: AuditAction;
  targetType: AuditTargetType;
  targetId: string;
  details?: Record<string, unknown>;
}

export async function appendAudit(em: EntityManager, entry: AuditEntry): Promise<void> {
  await em.query(
    `INSERT INTO audit_log (tenant, actor, action, target_type, target_id, details)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb)`,
    [
      entry.tenant,
      entry.actor,
      entry.action,
      entry.targetType,
      entry.targetId,
      JSON.stringify(entry.details ?? {}),
    ],
  );
}
