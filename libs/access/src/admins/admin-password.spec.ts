import {
  assertAcceptablePassword,
  dummyPasswordHash,
  generatePassword,
  GENERATED_PASSWORD_LENGTH,
  hashPassword,
  SCRYPT_PARAMS,
  verifyPassword,
  WeakPasswordError,
} from './admin-password';

// Cheap parameters keep the suite fast; the format and the checks are the same.
const FAST = { N: 1024, r: 8, p: 1 };

describe('admin passwords', () => {
  it('stores the scrypt parameters and a random salt in the hash', async () => {
    const a = await hashPassword('correct horse battery', FAST);
    const b = await hashPassword('correct horse battery', FAST);
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('correct');
  });

  it('uses the default parameters unless told otherwise', async () => {
    const h = await hashPassword('correct horse battery');
    expect(h.startsWith(`scrypt$${SCRYPT_PARAMS.N}$${SCRYPT_PARAMS.r}$${SCRYPT_PARAMS.p}$`)).toBe(true);
    expect(await verifyPassword('correct horse battery', h)).toBe(true);
  });

  it('verifies the right password and refuses others', async () => {
    const h = await hashPassword('correct horse battery', FAST);
    expect(await verifyPassword('correct horse battery', h)).toBe(true);
    expect(await verifyPassword('correct horse batterY', h)).toBe(false);
    expect(await verifyPassword('', h)).toBe(false);
  });

  it('reads the parameters back from the hash', async () => {
    const h = await hashPassword('pw-with-other-params', { N: 2048, r: 4, p: 2 });
    expect(await verifyPassword('pw-with-other-params', h)).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['another scheme', 'bcrypt$2b$10$abc'],
    [
      'a non power of two N',
      'scrypt$1000$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    ],
    ['a huge N', 'scrypt$1073741824$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['a short key', 'scrypt$1024$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAA'],
  ])('answers false for a malformed hash (%s)', async (_, stored) => {
    expect(await verifyPassword('anything', stored)).toBe(false);
  });

  it('has a dummy hash that matches no chosen password', async () => {
    const h = await dummyPasswordHash();
    expect(h).toBe(await dummyPasswordHash());
    expect(await verifyPassword('', h)).toBe(false);
    expect(await verifyPassword('password', h)).toBe(false);
  });

  it('generates long, distinct passwords', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const p = generatePassword();
      expect(p).toHaveLength(GENERATED_PASSWORD_LENGTH);
      expect(GENERATED_PASSWORD_LENGTH).toBeGreaterThanOrEqual(20);
      expect(p).toMatch(/^[A-Za-z2-9]+$/);
      seen.add(p);
    }
    expect(seen.size).toBe(50);
  });

  it('refuses short passwords when an operator sets one', () => {
    expect(() => assertAcceptablePassword('short')).toThrow(WeakPasswordError);
    expect(() => assertAcceptablePassword('x'.repeat(2000))).toThrow(WeakPasswordError);
    expect(() => assertAcceptablePassword(generatePassword())).not.toThrow();
  });
});
