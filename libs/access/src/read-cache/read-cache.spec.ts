import { CachedBody, ReadCache, splitAtRequestId } from './read-cache';

const body = (text: string): CachedBody => ({
  head: Buffer.from(`{"data":"${text}","meta":{"request_id":`),
  tail: Buffer.from('}}'),
});

function trustedCache(maxBytes = 1024 * 1024): ReadCache {
  const cache = new ReadCache(maxBytes);
  cache.setTrusted(true);
  return cache;
}

describe('ReadCache', () => {
  it('keeps a body stored under a current ticket', () => {
    const cache = trustedCache();
    const ticket = cache.ticket('a', 'a\n/x')!;
    expect(cache.put(ticket, body('one'))).toBe(true);
    expect(cache.get('a', 'a\n/x')).toMatchObject(body('one'));
    expect(cache.get('a', 'a\n/y')).toBeUndefined();
  });

  it("drops a tenant's bodies when it changes, and only that tenant's", () => {
    const cache = trustedCache();
    cache.put(cache.ticket('a', 'a\n/x')!, body('a'));
    cache.put(cache.ticket('b', 'b\n/x')!, body('b'));
    cache.invalidate('a,c');
    expect(cache.get('a', 'a\n/x')).toBeUndefined();
    expect(cache.get('b', 'b\n/x')).toMatchObject(body('b'));
    cache.invalidate('*');
    expect(cache.get('b', 'b\n/x')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('refuses a body read under a ticket that a change overtook', () => {
    const cache = trustedCache();
    const early = cache.ticket('a', 'a\n/x')!;
    cache.invalidate('a');
    expect(cache.put(early, body('stale'))).toBe(false);
    expect(cache.get('a', 'a\n/x')).toBeUndefined();
    const everyone = cache.ticket('a', 'a\n/x')!;
    cache.invalidate('*');
    expect(cache.put(everyone, body('stale'))).toBe(false);
    expect(cache.put(cache.ticket('a', 'a\n/x')!, body('fresh'))).toBe(true);
  });

  it('is used only while trusted, and starts empty after trust comes back', () => {
    const cache = new ReadCache(1024 * 1024);
    expect(cache.ticket('a', 'a\n/x')).toBeUndefined();
    cache.setTrusted(true);
    const ticket = cache.ticket('a', 'a\n/x')!;
    cache.put(ticket, body('one'));
    cache.setTrusted(false);
    expect(cache.get('a', 'a\n/x')).toBeUndefined();
    expect(cache.ticket('a', 'a\n/x')).toBeUndefined();
    cache.setTrusted(true);
    expect(cache.size).toBe(0);
    // A read that began before the outage is not kept.
    expect(cache.put(ticket, body('one'))).toBe(false);
  });

  it('does nothing when disabled', () => {
    const cache = new ReadCache(0);
    cache.setTrusted(true);
    expect(cache.enabled).toBe(false);
    expect(cache.ticket('a', 'a\n/x')).toBeUndefined();
  });

  it('stays within its memory budget, evicting the oldest first', () => {
    const cache = trustedCache(16 * 1024);
    const big = (n: number): CachedBody => ({ head: Buffer.alloc(800 + n), tail: Buffer.alloc(0) });
    for (let i = 0; i < 40; i++) cache.put(cache.ticket('a', `a\n/${i}`)!, big(i));
    expect(cache.usedBytes).toBeLessThanOrEqual(16 * 1024);
    expect(cache.get('a', 'a\n/0')).toBeUndefined();
    expect(cache.get('a', 'a\n/39')).toBeDefined();
    // One answer may not take more than a sixteenth of the budget.
    expect(
      cache.put(cache.ticket('a', 'a\n/huge')!, { head: Buffer.alloc(2048), tail: Buffer.alloc(0) }),
    ).toBe(false);
    // Replacing an entry does not count it twice.
    const before = cache.usedBytes;
    cache.put(cache.ticket('a', 'a\n/39')!, big(39));
    expect(cache.usedBytes).toBe(before);
  });
});

describe('splitAtRequestId', () => {
  it('splits a success envelope around its request id', () => {
    const id = 'req_01H';
    const text = JSON.stringify({
      data: [{ note: `"meta":{"request_id":"${id}"` }],
      meta: { request_id: id, has_more: false },
    });
    const split = splitAtRequestId(text, id)!;
    expect(`${split.head.toString()}${JSON.stringify('other')}${split.tail.toString()}`).toBe(
      JSON.stringify({
        data: [{ note: `"meta":{"request_id":"${id}"` }],
        meta: { request_id: 'other', has_more: false },
      }),
    );
  });

  it('refuses a body without the request id in meta', () => {
    expect(splitAtRequestId('{"data":[],"meta":{"request_id":"a"}}', 'b')).toBeUndefined();
    expect(splitAtRequestId('{"error":{}}', 'b')).toBeUndefined();
  });
});
