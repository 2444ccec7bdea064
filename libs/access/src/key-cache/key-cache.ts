/**
 * Validated key lookups, cached in-process so an authenticated request costs no
 * database round trip. The cache is only trusted while the change listener is
 * connected (every revocation reaches it through NOTIFY); while it is not, every
 * request looks its key up. Entries are also bounded in age, so even a notification
 * lost in a way nobody noticed stops mattering after `maxAgeMs`.
 *
 * Found keys and misses (unknown keys, unknown tenants, revoked keys) are bounded
 * separately, so a flood of made-up keys cannot push the real ones out.
 */
import type { KeyLookup } from '../keys/api-keys.repository';

export interface KeyCacheOptions {
  /** Age after which a found key is looked up again. */
  maxAgeMs: number;
  /** Age after which a miss is looked up again. */
  negativeMaxAgeMs: number;
  maxEntries: number;
  maxMisses: number;
}

export const DEFAULT_KEY_CACHE_OPTIONS: KeyCacheOptions = {
  maxAgeMs: 60_000,
  negativeMaxAgeMs: 10_000,
  maxEntries: 10_000,
  maxMisses: 1_000,
};

interface Entry {
  tenant: string;
  lookup: KeyLookup;
  at: number;
}

type Lookup = (tenant: string, hash: Buffer) => Promise<KeyLookup>;

export class KeyCache {
  private readonly found = new Map<string, Entry>();
  private readonly misses = new Map<string, Entry>();
  private readonly inflight = new Map<string, { promise: Promise<KeyLookup>; epoch: number }>();
  /** Bumped by every invalidation: a lookup that raced one is used once, never stored. */
  private epoch = 0;
  private trusted = false;

  constructor(
    private readonly lookup: Lookup,
    private readonly opts: KeyCacheOptions = DEFAULT_KEY_CACHE_OPTIONS,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.found.size + this.misses.size;
  }

  isTrusted(): boolean {
    return this.trusted;
  }

  /** A fresh, trusted entry without waiting for anything: the hot path of every request. */
  peek(tenant: string, hash: Buffer): KeyLookup | undefined {
    return this.trusted ? this.fresh(cacheId(tenant, hash)) : undefined;
  }

  async get(tenant: string, hash: Buffer): Promise<KeyLookup> {
    const id = cacheId(tenant, hash);
    if (this.trusted) {
      const hit = this.fresh(id);
      if (hit) return hit;
      const pending = this.inflight.get(id);
      if (pending && pending.epoch === this.epoch) return pending.promise;
    }
    const epoch = this.epoch;
    const promise = this.lookup(tenant, hash).then((lookup) => {
      if (this.trusted && this.epoch === epoch) this.store(id, { tenant, lookup, at: this.now() });
      return lookup;
    });
    const own = { promise, epoch };
    this.inflight.set(id, own);
    try {
      return await promise;
    } finally {
      if (this.inflight.get(id) === own) this.inflight.delete(id);
    }
  }

  /** A `herald_access` change: `<tenant>:<key id>` or `<tenant>:*`. */
  invalidate(target: string): void {
    this.epoch++;
    const sep = target.indexOf(':');
    if (sep <= 0) {
      this.found.clear();
      this.misses.clear();
      return;
    }
    const tenant = target.slice(0, sep);
    const keyId = target.slice(sep + 1);
    for (const [id, entry] of this.found) {
      const lookup = entry.lookup;
      const key = lookup.tenantEnabled ? lookup.key : null;
      if (entry.tenant === tenant && (keyId === '*' || key?.id === keyId)) this.found.delete(id);
    }
    // Misses of the tenant go too: they are cheap to rebuild.
    for (const [id, entry] of this.misses) if (entry.tenant === tenant) this.misses.delete(id);
  }

  /** Trust follows the change listener; any change of it forgets everything. */
  setTrusted(trusted: boolean): void {
    this.epoch++;
    this.trusted = trusted;
    this.found.clear();
    this.misses.clear();
  }

  private fresh(id: string): KeyLookup | undefined {
    const now = this.now();
    const hit = this.found.get(id);
    if (hit && now - hit.at < this.opts.maxAgeMs) return hit.lookup;
    const miss = this.misses.get(id);
    if (miss && now - miss.at < this.opts.negativeMaxAgeMs) return miss.lookup;
    return undefined;
  }

  private store(id: string, entry: Entry): void {
    const lookup = entry.lookup;
    const usable = lookup.tenantEnabled && lookup.key !== null && !lookup.key.revoked;
    const map = usable ? this.found : this.misses;
    (usable ? this.misses : this.found).delete(id);
    map.delete(id);
    if (map.size >= (usable ? this.opts.maxEntries : this.opts.maxMisses)) {
      const oldest = map.keys().next();
      if (!oldest.done) map.delete(oldest.value);
    }
    map.set(id, entry);
  }
}

function cacheId(tenant: string, hash: Buffer): string {
  return `${tenant} ${hash.toString('base64')}`;
}
