import { DomainError } from '@herald/platform';
import type { GetKeyQuery } from '../../keys/get-key/get-key.query';
import type { GetClientQuery } from '../get-client/get-client.query';
import type { OAuthClientsRepository } from '../oauth-clients.repository';
import { CreateClientHandler } from './create-client.handler';

describe('CreateClientHandler', () => {
  const create = jest.fn();
  let callerMode: 'live' | 'test' = 'live';
  const getKey = jest.fn(async () => ({ mode: callerMode }));
  const getClient = jest.fn(async (_tenant: string, id: string) => ({ id, label: 'x' }));
  const handler = new CreateClientHandler(
    { create } as unknown as OAuthClientsRepository,
    { execute: getClient } as unknown as GetClientQuery,
    { execute: getKey } as unknown as GetKeyQuery,
  );
  const caller = {
    tenant: 'support',
    keyId: 'key_manager' as string | null,
    actor: 'key:key_manager',
    scopes: ['keys:manage', 'events:read'] as const,
  };

  async function refusal(
    body: Parameters<CreateClientHandler['execute']>[1],
    who = caller,
  ): Promise<DomainError> {
    try {
      await handler.execute({ ...who, scopes: [...who.scopes] }, body);
    } catch (err) {
      if (err instanceof DomainError) return err;
      throw err;
    }
    throw new Error('expected a refusal');
  }

  beforeEach(() => {
    create.mockReset();
    getKey.mockClear();
    callerMode = 'live';
  });

  it('refuses scopes the caller does not hold, before anything is stored', async () => {
    const err = await refusal({ label: 'x', scopes: ['events:read', 'webhooks:manage', 'keys:read'] });
    expect([err.status, err.code]).toEqual([403, 'insufficient_scope']);
    expect(err.details).toEqual({
      requested_scopes: ['events:read', 'webhooks:manage', 'keys:read'],
      missing_scopes: ['webhooks:manage', 'keys:read'],
    });
    expect(create).not.toHaveBeenCalled();
  });

  it('refuses any client to a test-mode key, before anything is stored', async () => {
    callerMode = 'test';
    const err = await refusal({ label: 'x', scopes: ['events:read'] });
    expect([err.status, err.code]).toEqual([403, 'insufficient_scope']);
    expect(err.details).toEqual({ requested_mode: 'live', caller_mode: 'test' });
    expect(getKey).toHaveBeenCalledWith('support', 'key_manager');
    expect(create).not.toHaveBeenCalled();
  });

  it('creates for a token or a console session (no key) as its actor, the secret in the answer once', async () => {
    create.mockResolvedValue({ id: 'client_new', secret: 'mc_cs_x' });
    const token = { ...caller, keyId: null, actor: 'client:client_mgr', scopes: [...caller.scopes] };
    const res = await handler.execute(token, { label: 'x', scopes: ['events:read'] });
    expect(create).toHaveBeenCalledWith({
      tenant: 'support',
      scopes: ['events:read'],
      label: 'x',
      actor: 'client:client_mgr',
    });
    expect(getKey).not.toHaveBeenCalled();
    expect(res).toEqual({ id: 'client_new', label: 'x', client_id: 'client_new', client_secret: 'mc_cs_x' });
  });
});
