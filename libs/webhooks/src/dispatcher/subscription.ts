/**
 * Which endpoints an event goes to: the endpoint subscribes to its type (exactly, through
 * a `post.*`-style wildcard, or `*`), every payload filter holds, and the endpoint existed
 * when the event was created (a new endpoint is not flooded with history when the
 * dispatcher reads the topic from its start). `webhook.test` goes only to the endpoint
 * named in its data.
 */
import { WEBHOOK_TEST_TYPE } from '@herald/contracts';
import type { EndpointFilters } from '../endpoints/endpoint';

export interface Subscriber {
  id: string;
  events: readonly string[];
  filters: EndpointFilters;
  createdAt: Date;
}

export interface RoutedEvent {
  type: string;
  createdAt: string;
  /** The parsed public event, for payload filters and `webhook.test` routing. */
  body: Record<string, unknown>;
}

export function subscribesTo(patterns: readonly string[], type: string): boolean {
  for (const p of patterns) {
    if (p === '*' || p === type) return true;
    if (p.endsWith('.*') && type.startsWith(p.slice(0, -1))) return true;
  }
  return false;
}

/** The value at a dotted path (`data.status`), or undefined when any step is missing. */
export function valueAt(body: unknown, path: string): unknown {
  let node: unknown = body;
  for (const step of path.split('.')) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[step];
  }
  return node;
}

export function passesFilters(filters: EndpointFilters, body: unknown): boolean {
  for (const [path, expected] of Object.entries(filters)) {
    if (valueAt(body, path) !== expected) return false;
  }
  return true;
}

export function recipients<S extends Subscriber>(event: RoutedEvent, subscribers: readonly S[]): S[] {
  if (event.type === WEBHOOK_TEST_TYPE) {
    const target = valueAt(event.body, 'data.endpoint_id');
    return subscribers.filter((s) => s.id === target);
  }
  const created = Date.parse(event.createdAt);
  return subscribers.filter(
    (s) =>
      subscribesTo(s.events, event.type) &&
      !(created < s.createdAt.getTime()) &&
      passesFilters(s.filters, event.body),
  );
}
