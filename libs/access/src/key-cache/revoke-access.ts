/**
 * Revoking a credential (an API key, an OAuth client): mark its row revoked, audit it in
 * the same transaction, then wait until every live gateway has applied the change the
 * table's trigger announced, so the next request with it is refused anywhere. Revoking
 * twice is a no-op that reports `alreadyRevoked` and writes no second audit row.
 */
import type { DataSource, EntityManager } from 'typeorm';
import { appendAudit, AuditEntry } from '@herald/platform';
import type { RevokeResult } from '../keys/api-key';
import { announcedChangeSeq, waitForAccessPropagation } from './access-propagation';

/** Tables whose rows are revoked by `revoked_at`, each with a trigger that announces it. */
export type RevocableTable = 'api_keys' | 'oauth_clients';

export interface Revocation {
  table: RevocableTable;
  tenant: string;
  id: string;
  actor: string;
  audit: Pick<AuditEntry, 'action' | 'targetType' | 'details'>;
  /** More to undo in the revoking transaction, once the row is marked (e.g. issued tokens). */
  alsoOnRevoke?: (em: EntityManager) => Promise<void>;
  /** The error for an id the tenant does not have. */
  notFound: () => Error;
}

/**
 * Runs `revocation` in `inTenant` (the caller's tenant-scoped transaction) and returns
 * once every live gateway has applied it, or `propagationTimeoutMs` has passed.
 */
export async function revokeAndConfirm(
  ds: DataSource,
  inTenant: <T>(work: (em: EntityManager) => Promise<T>) => Promise<T>,
  revocation: Revocation,
  opts: { propagationTimeoutMs?: number } = {},
): Promise<RevokeResult> {
  const { table, tenant, id } = revocation;
  const res = await inTenant(async (em) => {
    // TypeORM answers an UPDATE with [rows, count].
    const [revoked]: [Array<{ revoked_at: Date }>, number] = await em.query(
      `UPDATE ${table} SET revoked_at = now()
       WHERE tenant = $1 AND id = $2 AND revoked_at IS NULL
       RETURNING revoked_at`,
      [tenant, id],
    );
    if (revoked[0]) {
      await revocation.alsoOnRevoke?.(em);
      await appendAudit(em, {
        ...revocation.audit,
        tenant,
        actor: revocation.actor,
        targetId: id,
      });
      return {
        result: { id, revokedAt: revoked[0].revoked_at, alreadyRevoked: false },
        seq: await announcedChangeSeq(em),
      };
    }
    const existing: Array<{ revoked_at: Date }> = await em.query(
      `SELECT revoked_at FROM ${table} WHERE tenant = $1 AND id = $2`,
      [tenant, id],
    );
    if (!existing[0]) throw revocation.notFound();
    return { result: { id, revokedAt: existing[0].revoked_at, alreadyRevoked: true }, seq: undefined };
  });
  if (res.seq === undefined) return { ...res.result, unconfirmedGateways: 0 };
  const unconfirmedGateways = await waitForAccessPropagation(ds, {
    seq: res.seq,
    timeoutMs: opts.propagationTimeoutMs,
  });
  return { ...res.result, unconfirmedGateways };
}
