/**
 * An in-memory stand-in for HeraldIngestClient in a product service's own tests: validates
 * what is appended exactly as Herald's ingest does (same catalogue, same order of checks,
 * same `invalid_events` reasons), records what it accepts, and asserts on it.
 *
 *   const herald = new FakeHeraldIngest();
 *   await service.publishPost(herald);
 *   herald.assertAppended('forum.post.created', (e) => e.data.post_id === 42);
 */
import { HeraldApiError } from '../errors';
import { MAX_EVENTS_PER_REQUEST, MAX_JSON_DEPTH, PublishedKind } from '../generated/catalogue';
import type { AppendResult, HeraldIngest } from '../ingest';
import { publicEventId } from '../public-id';
import { AppendableEvent, checkInternalEvent, InternalEvent } from './validate-event';

export interface FakeHeraldIngestOptions {
  /** Tenants that exist; an event for another is refused as Herald refuses it. Default: any. */
  tenants?: readonly string[];
}

/** Thrown by the assertion helpers; the message lists what was appended. */
export class HeraldFakeAssertionError extends Error {
  override readonly name = 'HeraldFakeAssertionError';
}

type KindOf<K extends string> = K extends PublishedKind ? InternalEvent<K> : InternalEvent;

export class FakeHeraldIngest implements HeraldIngest {
  private readonly events: InternalEvent[] = [];
  private readonly tenants: ReadonlySet<string> | undefined;

  constructor(options: FakeHeraldIngestOptions = {}) {
    this.tenants = options.tenants ? new Set(options.tenants) : undefined;
  }

  async append(events: AppendableEvent | readonly AppendableEvent[]): Promise<AppendResult> {
    // What Herald sees is the JSON on the wire: undefined fields vanish, dates become strings.
    const text = JSON.stringify(events);
    // Herald's HTTP layer refuses such a body before the ingest sees it.
    if (nestsDeeperThan(text, MAX_JSON_DEPTH)) {
      throw refusal(400, 'invalid_json', `the body nests deeper than ${MAX_JSON_DEPTH} levels`, undefined);
    }
    const raw = JSON.parse(text) as unknown;
    const items: unknown[] = Array.isArray(raw) ? raw : [raw];
    if (raw === null || typeof raw !== 'object') {
      throw refusal(
        400,
        'invalid_events',
        'the body must be an internal event or an array of them',
        undefined,
      );
    }
    if (items.length === 0) throw refusal(400, 'invalid_events', 'no events given', []);
    if (items.length > MAX_EVENTS_PER_REQUEST) {
      throw refusal(
        413,
        'too_many_events',
        `at most ${MAX_EVENTS_PER_REQUEST} events per request`,
        undefined,
      );
    }
    const errors: Array<{ index: number; reason: string }> = [];
    const accepted: Array<{ event: InternalEvent; published: boolean }> = [];
    items.forEach((item, index) => {
      const v = checkInternalEvent(item);
      if (!v.ok) errors.push({ index, reason: v.reason });
      else if (this.tenants && !this.tenants.has(v.event.tenant)) {
        errors.push({ index, reason: `unknown tenant ${JSON.stringify(v.event.tenant)}` });
      } else accepted.push(v);
    });
    if (errors.length > 0) {
      const message = `${errors.length} of ${items.length} events are invalid; nothing was appended`;
      throw refusal(400, 'invalid_events', message, errors);
    }
    this.events.push(...accepted.map((a) => a.event));
    return {
      accepted: accepted.length,
      events: accepted.map(({ event, published }) => ({
        id: event.id,
        public_event_id: published ? publicEventId(event.tenant, event.id) : null,
      })),
    };
  }

  /** The events appended so far, in order; only those of `kind` when given. */
  appended<K extends string>(kind?: K): Array<KindOf<K>> {
    return this.events.filter((e) => kind === undefined || e.kind === kind) as Array<KindOf<K>>;
  }

  /** Passes when an event of `kind` (matching `predicate`, when given) was appended. */
  assertAppended<K extends string>(kind: K, predicate?: (event: KindOf<K>) => boolean): void {
    const ofKind = this.appended(kind);
    if (ofKind.length === 0) {
      throw new HeraldFakeAssertionError(
        `expected an event of kind ${kind} to be appended; ${this.summary()}`,
      );
    }
    if (predicate && !ofKind.some(predicate)) {
      throw new HeraldFakeAssertionError(
        `expected an event of kind ${kind} matching the predicate to be appended; ` +
          `${ofKind.length} of that kind were, none matching:\n${ofKind.map(show).join('\n')}`,
      );
    }
  }

  /** Passes when no event of `kind` was appended. */
  assertNotAppended(kind: string): void {
    const ofKind = this.appended(kind);
    if (ofKind.length > 0) {
      throw new HeraldFakeAssertionError(
        `expected no event of kind ${kind} to be appended; ${ofKind.length} were:\n${ofKind.map(show).join('\n')}`,
      );
    }
  }

  /** Passes when nothing at all was appended. */
  assertNothingAppended(): void {
    if (this.events.length > 0)
      throw new HeraldFakeAssertionError(`expected nothing to be appended; ${this.summary()}`);
  }

  /** Forgets everything appended. */
  reset(): void {
    this.events.length = 0;
  }

  private summary(): string {
    if (this.events.length === 0) return 'nothing was appended';
    return `${this.events.length} event(s) were:\n${this.events.map(show).join('\n')}`;
  }
}

function show(e: InternalEvent): string {
  return `  - ${e.kind} ${JSON.stringify(e.data)}`;
}

/** Whether JSON text nests arrays and objects deeper than `max` (brackets outside strings). */
function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '[' || c === '{') {
      if (++depth > max) return true;
    } else if (c === ']' || c === '}') depth--;
  }
  return false;
}

function refusal(status: number, code: string, message: string, details: unknown): HeraldApiError {
  return new HeraldApiError(status, code, message, details, undefined);
}
