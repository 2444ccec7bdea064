/**
 * The demo key `herald dev` prints at every start: read scopes, test mode. Each start
 * revokes the demo keys earlier starts minted (audited), so at most one is live.
 */
import { READ_SCOPES } from '@herald/contracts';
import type { CreatedApiKey } from '../keys/api-key';
import type { ApiKeysRepository } from '../keys/api-keys.repository';

export const DEMO_KEY_LABEL = 'demo';
export const DEMO_KEY_ACTOR = 'herald dev';

export interface DemoKey {
  key: CreatedApiKey;
  /** Ids of the earlier demo keys this call revoked. */
  revoked: string[];
}

export async function mintDemoKey(repo: ApiKeysRepository, tenant: string): Promise<DemoKey> {
  const earlier = (await repo.list(tenant)).filter(
    (k) => k.createdBy === DEMO_KEY_ACTOR && k.label === DEMO_KEY_LABEL && k.revokedAt === null,
  );
  for (const k of earlier) {
    // Before this process's gateway runs: a gateway of a crashed earlier start is not waited for long.
    await repo.revoke(tenant, k.id, DEMO_KEY_ACTOR, {
      details: { reason: 'replaced by a new demo key' },
      propagationTimeoutMs: 500,
    });
  }
  const key = await repo.create({
    tenant,
    scopes: READ_SCOPES,
    mode: 'test',
    label: DEMO_KEY_LABEL,
    actor: DEMO_KEY_ACTOR,
  });
  return { key, revoked: earlier.map((k) => k.id) };
}
