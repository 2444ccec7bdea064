import { hashApiKey, isWellFormedApiKey, mintApiKey, sameHash } from './api-key-secret';

describe('API key material', () => {
  it('mints keys of the documented shape with a display prefix and a SHA-256', () => {
    const live = mintApiKey('live');
    expect(live.key).toMatch(/^mc_live_[A-Za-z0-9_-]{43}$/);
    expect(live.prefix).toBe(live.key.slice(0, 16));
    expect(live.hash).toHaveLength(32);
    expect(sameHash(live.hash, hashApiKey(live.key))).toBe(true);
    expect(mintApiKey('test').key).toMatch(/^mc_test_/);
    expect(mintApiKey('live').key).not.toBe(live.key);
  });

  it.each([
    '',
    'mc_live_short',
    'mc_prod_' + 'a'.repeat(43),
    'mc_live_' + 'a'.repeat(42) + '!',
    ' mc_live_x',
  ])('refuses %j before any lookup', (key) => expect(isWellFormedApiKey(key)).toBe(false));

  it('compares hashes of different lengths as different', () => {
    expect(sameHash(Buffer.alloc(32), Buffer.alloc(31))).toBe(false);
  });
});
