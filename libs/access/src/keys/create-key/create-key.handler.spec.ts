import { DomainError } from '@herald/platform';
import type { ApiKeysRepository } from '../api-keys.repository';
import type { GetKeyQuery } from '../get-key/get-key.query';
import { CreateKeyHandler } from './create-key.handler';

describe('CreateKeyHandler', () => {
  const create = jest.fn();
  let callerMode: 'live' | 'test' = 'live';
  const get = jest.fn(async () => ({ mode: callerMode }));
  const handler = new CreateKeyHandler(
    { create } as unknown as ApiKeysRepository,
    { execute: get } as unknown as GetKeyQuery,
  );
  const caller = {
    tenant: 'support',
    keyId: 'key_manager',
    actor: 'key:key_manager',
    scopes: ['keys:manage', 'events:read'] as const,
  };

  async function refusal(body: Parameters<CreateKeyHandler['execute']>[1]): Promise<DomainError> {
    try {
      await handler.execute({ ...caller, scopes: [...caller.scopes] }, body);
    } catch (err) {
      if (err instanceof DomainError) return err;
      throw err;
    }
    throw new Error('expected a refusal');
  }

  beforeEach(() => {
    create.mockReset();
    callerMode = 'live';
  });

  it('refuses scopes the calling key does not hold, before anything is stored', async () => {
    const err = await refusal({ label: 'x', scopes: ['events:read', 'webhooks:manage', 'keys:read'] });
    expect(err.status).toBe(403);
    expect(err.code).toBe('insufficient_scope');
    expect(err.details).toEqual({
      requested_scopes: ['events:read', 'webhooks:manage', 'keys:read'],
      missing_scopes: ['webhooks:manage', 'keys:read'],
    });
    expect(create).not.toHaveBeenCalled();
  });

  it('answers an expiry in the past as 422 invalid_api_key_input on expires_at', async () => {
    const err = await refusal({ label: 'x', scopes: ['events:read'], expires_at: '2001-01-01T00:00:00Z' });
    expect(err.status).toBe(422);
    expect(err.code).toBe('invalid_api_key_input');
    expect(err.details).toEqual([{ field: 'expires_at', reason: expect.stringContaining('in the future') }]);
    expect(create).not.toHaveBeenCalled();
  });

  it('refuses a live key to a test-mode key, before anything is stored', async () => {
    callerMode = 'test';
    const err = await refusal({ label: 'x', scopes: ['events:read'], mode: 'live' });
    expect(err.status).toBe(403);
    expect(err.code).toBe('insufficient_scope');
    expect(err.details).toEqual({ requested_mode: 'live', caller_mode: 'test' });
    expect(get).toHaveBeenCalledWith('support', 'key_manager');
    expect(create).not.toHaveBeenCalled();
  });

  it('gives a key the calling key’s mode when none is asked for', async () => {
    callerMode = 'test';
    create.mockResolvedValue({ id: 'key_new', key: 'mc_test_x' });
    await handler.execute({ ...caller, scopes: [...caller.scopes] }, { label: 'x', scopes: ['events:read'] });
    expect(create).toHaveBeenCalledWith(expect.objectContaining({ mode: 'test' }));
  });

  it('lets a console session (no key) mint either mode', async () => {
    create.mockResolvedValue({ id: 'key_new', key: 'mc_live_x' });
    get.mockClear();
    const session = { ...caller, keyId: null, actor: 'admin:a@x', scopes: [...caller.scopes] };
    await handler.execute(session, { label: 'x', scopes: ['events:read'], mode: 'live' });
    expect(create).toHaveBeenCalledWith(expect.objectContaining({ mode: 'live', actor: 'admin:a@x' }));
    expect(get).not.toHaveBeenCalledWith('support', null);
  });
});
