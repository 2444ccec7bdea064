/**
 * Waiting for gateways to apply an access change. Each change (key revoked, tenant
 * limits changed, tenant disabled) gets a number from `herald_access_seq`, carried in
 * its notification; each live gateway's listener records the highest number it has
 * applied in `access_listeners`. A revocation returns once every gateway seen alive in
 * the last `LISTENER_FRESH_MS` has applied it, so the next request anywhere is refused.
 */
import type { DataSource, EntityManager } from 'typeorm';

/** A listener whose heartbeat is older than this is presumed gone (its cache untrusted). */
export const LISTENER_FRESH_MS = 10_000;
export const DEFAULT_PROPAGATION_TIMEOUT_MS = 5_000;

/** The number of the last change this transaction announced (call after the change). */
export async function announcedChangeSeq(em: EntityManager): Promise<bigint> {
  const [row]: Array<{ seq: string }> = await em.query(`SELECT currval('herald_access_seq')::text AS seq`);
  return BigInt(row!.seq);
}

/** The number of the last change announced by anyone. */
export async function latestChangeSeq(ds: DataSource): Promise<bigint> {
  const [row]: Array<{ seq: string }> = await ds.query(
    `SELECT (CASE WHEN is_called THEN last_value ELSE 0 END)::text AS seq FROM herald_access_seq`,
  );
  return BigInt(row!.seq);
}

/**
 * Resolves with the number of live gateways that have not applied change `seq` (0 once
 * all have) when they all have or `timeoutMs` has passed. Defaults to the latest change.
 */
export async function waitForAccessPropagation(
  ds: DataSource,
  opts: { seq?: bigint; timeoutMs?: number } = {},
): Promise<number> {
  const seq = opts.seq ?? (await latestChangeSeq(ds));
  const deadline = Date.now() + (opts.timeoutMs ?? DEFAULT_PROPAGATION_TIMEOUT_MS);
  let pauseMs = 2;
  for (;;) {
    const [row]: Array<{ behind: number }> = await ds.query(
      `SELECT count(*)::int AS behind FROM access_listeners
       WHERE acked_seq < $1 AND heartbeat_at > now() - make_interval(secs => $2)`,
      [seq.toString(), LISTENER_FRESH_MS / 1000],
    );
    const behind = row?.behind ?? 0;
    if (behind === 0 || Date.now() >= deadline) return behind;
    await new Promise((r) => setTimeout(r, pauseMs));
    pauseMs = Math.min(pauseMs * 2, 50);
  }
}
