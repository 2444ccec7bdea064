/**
 * The append-only audit log. Rows are written inside the caller's transaction, so an
 * action and its audit row commit or roll back together.
 */
import type { EntityManager } from 'typeorm';

export type AuditAction = 'api_key.created' | 'api_key.revoked';

export interface AuditEntry {
  tenant: string;
  actor: string;
  action: AuditAction;
  targetType: 'api_key';
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
