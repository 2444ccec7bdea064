import { randomBytes } from 'node:crypto';
import { generateEndpointSecret } from './endpoint-secret';
import { MasterKeyring, UnknownMasterKeyError } from './master-keyring';
import { SecretBox } from './secret-box';

const binding = { tenant: 'acme', endpointId: 'ep_1', slot: 'current' as const };

describe('secret box', () => {
  const master = randomBytes(32);
  const box = new SecretBox(new MasterKeyring(master));

  it('seals with AES-256-GCM so that the stored form reveals nothing and opens to the secret', () => {
    const sealed = box.seal('whsec_abc', binding);
    expect(sealed.sealed.toString('utf8')).not.toContain('whsec_abc');
    expect(sealed.sealed.length).toBe(12 + 16 + 'whsec_abc'.length);
    expect(box.open(sealed, binding)).toBe('whsec_abc');
    expect(box.seal('whsec_abc', binding).sealed.equals(sealed.sealed)).toBe(false);
  });

  it('refuses a sealed secret moved to another endpoint, tenant or slot, or altered', () => {
    const sealed = box.seal('whsec_abc', binding);
    expect(() => box.open(sealed, { ...binding, endpointId: 'ep_2' })).toThrow();
    expect(() => box.open(sealed, { ...binding, tenant: 'other' })).toThrow();
    expect(() => box.open(sealed, { ...binding, slot: 'previous' })).toThrow();
    const altered = Buffer.from(sealed.sealed);
    altered[altered.length - 1] = (altered[altered.length - 1] ?? 0) ^ 1;
    expect(() => box.open({ ...sealed, sealed: altered }, binding)).toThrow();
  });

  it('keeps opening what a retired master key sealed, and says which key is unknown', () => {
    const sealedUnderOld = box.seal('whsec_old', binding);
    const rotated = new SecretBox(new MasterKeyring(randomBytes(32), [master]));
    expect(rotated.open(sealedUnderOld, binding)).toBe('whsec_old');
    expect(rotated.isStale(sealedUnderOld)).toBe(true);
    expect(rotated.isStale(rotated.seal('x', binding))).toBe(false);
    const forgotten = new SecretBox(new MasterKeyring(randomBytes(32)));
    expect(() => forgotten.open(sealedUnderOld, binding)).toThrow(UnknownMasterKeyError);
    expect(sealedUnderOld.keyId).not.toContain(master.toString('hex').slice(0, 8));
  });

  it('generates whsec_ secrets of 32 random bytes, and ed25519 key pairs for that scheme', () => {
    const a = generateEndpointSecret('mobieus-v1');
    expect(a.shown).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(a.shown.slice(6), 'base64')).toHaveLength(32);
    expect(a.signing).toBe(a.shown);
    expect(generateEndpointSecret('mobieus-v1').shown).not.toBe(a.shown);
    const ed = generateEndpointSecret('standard-webhooks-ed25519');
    expect(ed.shown).toMatch(/^whpk_/);
    expect(ed.signing).toMatch(/^whsk_/);
    expect(Buffer.from(ed.shown.slice(5), 'base64')).toHaveLength(32);
  });
});
