import { Behind, mergesWith, Wanted } from './dispatcher';

function wanted(tenant: string, n: number): Wanted {
  return {
    message: { tenant, eventId: `evt_${tenant}_${n}`, eventType: 'post.created', payload: '{}' },
    delivery: {
      id: `dlv_${tenant}_${n}`,
      tenant,
      endpointId: `ep_${tenant}`,
      eventId: `evt_${tenant}_${n}`,
      eventType: 'post.created',
      maxAttempts: 3,
    },
    leaseMs: 20_000,
    live: true,
  };
}

function call(tenants: string[], versions?: Record<string, number>): Behind {
  return {
    split: { leased: tenants.map((t, i) => wanted(t, i)), unleased: [] },
    endpoints: new Map(),
    tenants: new Set(tenants),
    resolve: () => undefined,
    ...(versions
      ? { check: { matchedWith: new Map(Object.entries(versions)), records: [], live: true } }
      : {}),
  };
}

describe('merging writes behind into one statement', () => {
  it('joins a call checked at the versions already checked there, or at tenants not yet there', () => {
    const checked = new Map([['a', 3]]);
    expect(mergesWith(call(['a'], { a: 3 }), checked, new Set())).toBe(true);
    expect(mergesWith(call(['b'], { b: 7 }), checked, new Set(['c']))).toBe(true);
  });

  it('keeps apart a call checked at another version of a tenant checked there', () => {
    expect(mergesWith(call(['a'], { a: 4 }), new Map([['a', 3]]), new Set())).toBe(false);
  });

  it('keeps apart a call that checks a tenant with deliveries there from a call checked before', () => {
    // Found stale, the tenant would lose those deliveries too, and nothing would match them again.
    expect(mergesWith(call(['a'], { a: 3 }), new Map(), new Set(['a']))).toBe(false);
  });

  it('keeps apart a call checked before with deliveries of a tenant checked there', () => {
    expect(mergesWith(call(['a', 'b']), new Map([['b', 1]]), new Set())).toBe(false);
    expect(mergesWith(call(['a', 'c']), new Map([['b', 1]]), new Set(['a']))).toBe(true);
  });

  it('checks the tenants a call matched nothing for as well', () => {
    // A tenant checked with no delivery in the call: its records may match an endpoint created since.
    expect(mergesWith(call([], { a: 3 }), new Map([['a', 2]]), new Set())).toBe(false);
    expect(mergesWith(call([], { a: 3 }), new Map(), new Set(['a']))).toBe(false);
  });
});
