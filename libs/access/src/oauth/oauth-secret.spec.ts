import { hashApiKey } from '../keys/api-key-secret';
import {
  isWellFormedAccessToken,
  isWellFormedClientId,
  isWellFormedClientSecret,
  mintAccessToken,
  mintClientSecret,
} from './oauth-secret';

describe('OAuth client material', () => {
  it('mints 32-byte secrets and tokens, keeping only their SHA-256 beside them', () => {
    const secret = mintClientSecret();
    expect(secret.value).toMatch(/^mc_cs_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(secret.value.slice(6), 'base64url')).toHaveLength(32);
    expect(secret.prefix).toBe(secret.value.slice(0, 14));
    expect(secret.hash.equals(hashApiKey(secret.value))).toBe(true);
    const token = mintAccessToken();
    expect(isWellFormedAccessToken(token.value)).toBe(true);
    expect(token.hash.equals(hashApiKey(token.value))).toBe(true);
    expect(mintAccessToken().value).not.toBe(token.value);
  });

  it('tells the shapes apart', () => {
    const secret = mintClientSecret().value;
    const token = mintAccessToken().value;
    expect([isWellFormedClientSecret(secret), isWellFormedAccessToken(secret)]).toEqual([true, false]);
    expect([isWellFormedClientSecret(token), isWellFormedAccessToken(token)]).toEqual([false, true]);
    expect(isWellFormedAccessToken(`mc_live_${token.slice(6)}`)).toBe(false);
    expect(isWellFormedClientId('client_01JG5K8HW2X4A8Q3M1T6KQ7BWP')).toBe(true);
    expect(isWellFormedClientId('client_01JG5K8HW2X4A8Q3M1T6KQ7BW')).toBe(false);
  });
});
