/**
 * The URL of an endpoint as registered: an absolute `https` URL that the SSRF guard
 * accepts (DESIGN.md §7). It is stored in its WHATWG-normalized form, which is what the
 * delivery workers will dial.
 */
import type { FieldProblem } from '@herald/platform';
import type { SsrfGuard } from '../../ssrf/ssrf-guard';

export const MAX_URL_LENGTH = 2048;

export type UrlCheck = { ok: true; url: string } | { ok: false; problem: FieldProblem };

export async function checkEndpointUrl(raw: string, guard: SsrfGuard): Promise<UrlCheck> {
  const refuse = (reason: string): UrlCheck => ({ ok: false, problem: { field: 'url', reason } });
  if (raw.length > MAX_URL_LENGTH) return refuse(`url must be at most ${MAX_URL_LENGTH} characters`);
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    return refuse('url must be an absolute URL such as https://example.com/webhooks');
  }
  if (parsed.protocol !== 'https:') return refuse('url must use https');
  // A fragment never leaves the client, so a URL with one cannot mean what it says.
  if (parsed.hash !== '') return refuse('url must not have a #fragment');
  // The guard sees the text as given: every odd spelling of an address is its business.
  const reason = await guard.checkRegistration(raw);
  if (reason !== null) return refuse(reason);
  return { ok: true, url: parsed.href };
}
