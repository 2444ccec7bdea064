import type { KeyLookup } from '../keys/api-keys.repository';
import type { KeyRecord } from '../keys/api-key';
import { KeyCache } from './key-cache';

const hash = Buffer.alloc(32, 1);
const record = (id: string, tenant = 'a'): KeyRecord => ({
  id,
  tenant,
  mode: 'live',
  scopes: ['events:read'],
  expiresAt: null,
  revoked: false,
  ratePerMinute: 600,
  dailyQuota: null,
});

function setup(answer: () => KeyLookup = () => ({ tenantEnabled: true, key: record('k1') })) {
  let now = 1_000_000;
  const calls: string[] = [];
  const cache = new KeyCache(
    async (tenant) => {
      calls.push(tenant);
      return answer();
    },
    { maxAgeMs: 60_000, negativeMaxAgeMs: 5_000, maxEntries: 3, maxMisses: 2 },
    () => now,
  );
  return { cache, calls, advance: (ms: number) => (now += ms) };
}

describe('KeyCache', () => {
  it('looks up every time while untrusted', async () => {
    const { cache, calls } = setup();
    await cache.get('a', hash);
    await cache.get('a', hash);
    expect(calls).toHaveLength(2);
  });

  it('serves hits while trusted, within the maximum age', async () => {
    const { cache, calls, advance } = setup();
    cache.setTrusted(true);
    await cache.get('a', hash);
    advance(59_999);
    await cache.get('a', hash);
    expect(calls).toHaveLength(1);
    advance(1);
    await cache.get('a', hash);
    expect(calls).toHaveLength(2);
  });

  it('keeps unknown keys for the shorter negative age', async () => {
    const { cache, calls, advance } = setup(() => ({ tenantEnabled: true, key: null }));
    cache.setTrusted(true);
    await cache.get('a', hash);
    advance(4_999);
    await cache.get('a', hash);
    advance(1);
    await cache.get('a', hash);
    expect(calls).toHaveLength(2);
  });

  it('forgets a key on its notification, and every key of a tenant on <tenant>:*', async () => {
    const { cache, calls } = setup();
    cache.setTrusted(true);
    await cache.get('a', hash);
    cache.invalidate('a:other-key');
    await cache.get('a', hash);
    expect(calls).toHaveLength(1);
    cache.invalidate('a:k1');
    await cache.get('a', hash);
    expect(calls).toHaveLength(2);
    cache.invalidate('b:*');
    await cache.get('a', hash);
    expect(calls).toHaveLength(2);
    cache.invalidate('a:*');
    await cache.get('a', hash);
    expect(calls).toHaveLength(3);
  });

  it('forgets everything when trust is lost or regained', async () => {
    const { cache, calls } = setup();
    cache.setTrusted(true);
    await cache.get('a', hash);
    cache.setTrusted(false);
    cache.setTrusted(true);
    await cache.get('a', hash);
    expect(calls).toHaveLength(2);
  });

  it('never stores a lookup that raced an invalidation', async () => {
    let release: (v: KeyLookup) => void = () => undefined;
    let calls = 0;
    const cache = new KeyCache(() => {
      calls++;
      return new Promise<KeyLookup>((resolve) => (release = resolve));
    });
    cache.setTrusted(true);
    const first = cache.get('a', hash);
    cache.invalidate('a:k1'); // the revocation commits while the lookup is in flight
    release({ tenantEnabled: true, key: record('k1') });
    await first;
    const second = cache.get('a', hash); // must not reuse the stale answer
    release({ tenantEnabled: true, key: { ...record('k1'), revoked: true } });
    expect((await second).tenantEnabled && (await second)).toMatchObject({ key: { revoked: true } });
    expect(calls).toBe(2);
  });

  it('shares one lookup between concurrent requests for the same key', async () => {
    const { cache, calls } = setup();
    cache.setTrusted(true);
    await Promise.all([cache.get('a', hash), cache.get('a', hash), cache.get('a', hash)]);
    expect(calls).toHaveLength(1);
  });

  it('stays within its size bound', async () => {
    const { cache } = setup();
    cache.setTrusted(true);
    for (let i = 0; i < 10; i++) await cache.get('a', Buffer.alloc(32, i));
    expect(cache.size).toBe(3);
  });

  it('keeps found keys when flooded with unknown ones', async () => {
    let known = true;
    const { cache, calls } = setup(() =>
      known ? { tenantEnabled: true, key: record('k1') } : { tenantEnabled: true, key: null },
    );
    cache.setTrusted(true);
    await cache.get('a', hash);
    known = false;
    for (let i = 2; i < 50; i++) await cache.get('a', Buffer.alloc(32, i));
    expect(cache.size).toBe(3);
    const before = calls.length;
    expect(cache.peek('a', hash)).toMatchObject({ key: { id: 'k1' } });
    await cache.get('a', hash);
    expect(calls).toHaveLength(before);
  });
});
