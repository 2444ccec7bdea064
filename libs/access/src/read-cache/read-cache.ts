/**
 * Rendered public reads, kept in memory per (tenant, URL) until the tenant's read models
 * change. Integrators poll the same pages over and over (`GET /api/v1/events?limit=50`
 * every few seconds), and between two projector commits every such read returns the same
 * bytes: serving them again costs no database round trip and no serialization.
 *
 * Freshness comes from the database: every commit that changes a read model notifies
 * `herald_read_models` with its tenants, and the change listener bumps those tenants'
 * versions here. An answer is stored only under the version that was current before its
 * read ran, so a read that raced a commit is never kept. The cache is used only while the
 * listener is connected; while it is not, and after it reconnects, everything is read
 * again (notifications sent meanwhile are lost).
 *
 * A body is kept as the bytes around its request id, which is the one part of an answer
 * that differs between two requests for the same URL.
 */

export interface CachedBody {
  /** Everything up to the JSON string of the request id, UTF-8. */
  head: Buffer;
  /** Everything after it. */
  tail: Buffer;
}

/** Taken before a read runs; the read's answer may be stored under it. */
export interface ReadTicket {
  tenant: string;
  key: string;
  epoch: number;
  version: number;
}

interface Entry extends CachedBody {
  tenant: string;
  epoch: number;
  version: number;
  bytes: number;
}

export const READ_MODELS_CHANNEL = 'herald_read_models';

/** What an answer is kept under: the tenant and the exact URL (path and query) asked for. */
export function readCacheKey(tenant: string, url: string): string {
  return `${tenant}\n${url}`;
}

export class ReadCache {
  private readonly entries = new Map<string, Entry>();
  private readonly versions = new Map<string, number>();
  /** Bumped when trust is lost or regained and on a change to every tenant. */
  private epoch = 0;
  private trusted = false;
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get enabled(): boolean {
    return this.maxBytes > 0;
  }

  get size(): number {
    return this.entries.size;
  }

  get usedBytes(): number {
    return this.bytes;
  }

  isTrusted(): boolean {
    return this.trusted;
  }

  /** Follows the change listener: trusted only while it is connected. */
  setTrusted(trusted: boolean): void {
    if (trusted === this.trusted) return;
    this.trusted = trusted;
    this.epoch++;
    this.clear();
  }

  /** A notification of `herald_read_models`: tenants, comma-separated, or `*`. */
  invalidate(payload: string): void {
    if (payload === '*') {
      this.epoch++;
      this.clear();
      return;
    }
    for (const tenant of payload.split(',')) {
      if (tenant) this.versions.set(tenant, (this.versions.get(tenant) ?? 0) + 1);
    }
  }

  /** The body stored for this key, if it is still current. */
  get(tenant: string, key: string): CachedBody | undefined {
    if (!this.trusted) return undefined;
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.epoch !== this.epoch || entry.version !== (this.versions.get(tenant) ?? 0)) {
      this.remove(key, entry);
      return undefined;
    }
    return entry;
  }

  /** Undefined when nothing may be stored (disabled, or the listener is down). */
  ticket(tenant: string, key: string): ReadTicket | undefined {
    if (!this.enabled || !this.trusted) return undefined;
    return { tenant, key, epoch: this.epoch, version: this.versions.get(tenant) ?? 0 };
  }

  /** Stores the answer of a read taken under `ticket`, unless a change came in since. */
  put(ticket: ReadTicket, body: CachedBody): boolean {
    if (!this.trusted || ticket.epoch !== this.epoch) return false;
    if (ticket.version !== (this.versions.get(ticket.tenant) ?? 0)) return false;
    const bytes = body.head.length + body.tail.length + 2 * ticket.key.length;
    // One answer never takes more than a sixteenth of the budget.
    if (bytes * 16 > this.maxBytes) return false;
    const old = this.entries.get(ticket.key);
    if (old) this.remove(ticket.key, old);
    this.entries.set(ticket.key, {
      head: body.head,
      tail: body.tail,
      tenant: ticket.tenant,
      epoch: ticket.epoch,
      version: ticket.version,
      bytes,
    });
    this.bytes += bytes;
    // Oldest first: a Map iterates in insertion order.
    for (const [key, entry] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.remove(key, entry);
    }
    return true;
  }

  private remove(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }

  private clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }
}

/**
 * Splits a serialized success envelope at its request id (the first member of `meta`,
 * which is the last member of the envelope); undefined when the body is not shaped so.
 */
export function splitAtRequestId(body: string, requestId: string): CachedBody | undefined {
  const lead = '"meta":{"request_id":';
  const id = JSON.stringify(requestId);
  const at = body.lastIndexOf(`${lead}${id}`);
  if (at < 0) return undefined;
  const cut = at + lead.length;
  return { head: Buffer.from(body.slice(0, cut)), tail: Buffer.from(body.slice(cut + id.length)) };
}
