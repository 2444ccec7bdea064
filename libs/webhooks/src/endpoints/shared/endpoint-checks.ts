/**
 * The semantic checks of an endpoint's settings, shared by create and update. The
 * validation pipe has already answered 400 `bad_request` for anything that does not fit
 * the documented schema (a missing field, a wrong JSON type, an unknown field, a scheme
 * not in the list); what is well-formed but cannot be accepted is a 422
 * `invalid_endpoint` listing every problem at once.
 */
import type { DomainError, FieldProblem } from '@herald/platform';
import type { SsrfGuard } from '../../ssrf/ssrf-guard';
import { INVALID_ENDPOINT } from '../../webhook-errors';
import type { EndpointFilters } from '../endpoint';
import { checkEndpointUrl } from './endpoint-url';
import { checkEvents, checkFilters, subscribedTypes } from './subscription-rules';

export function invalidEndpoint(problems: readonly FieldProblem[]): DomainError {
  return INVALID_ENDPOINT.error(problems.map((p) => p.reason).join('; '), problems);
}

/** The URL normalized, or its problem. */
export async function urlProblems(
  raw: string,
  guard: SsrfGuard,
): Promise<{ url?: string; problems: FieldProblem[] }> {
  const check = await checkEndpointUrl(raw, guard);
  return check.ok ? { url: check.url, problems: [] } : { problems: [check.problem] };
}

/** The event patterns (repeats dropped) and the problems of the patterns and of the filters under them. */
export function subscriptionProblems(
  events: readonly string[],
  filters: EndpointFilters,
): { events: string[]; problems: FieldProblem[] } {
  const checked = checkEvents(events);
  return {
    events: checked.events,
    problems: [...checked.problems, ...checkFilters(filters, subscribedTypes(checked.events))],
  };
}
