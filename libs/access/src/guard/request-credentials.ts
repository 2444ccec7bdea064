/** Reading the tenant and the key off a request, before any lookup. */
import { TENANT_SLUG } from '@herald/platform';

/**
 * The tenant is the one label in front of the base domain: `support.localhost:3000`
 * under `localhost` is `support`. Anything else (the bare domain, deeper names, other
 * domains, IP literals) names no tenant.
 */
export function tenantFromHost(host: string | undefined, baseDomain: string): string | undefined {
  if (!host || host.startsWith('[')) return undefined;
  const colon = host.lastIndexOf(':');
  let name = (colon === -1 ? host : host.slice(0, colon)).toLowerCase();
  if (name.endsWith('.')) name = name.slice(0, -1);
  const suffix = `.${baseDomain}`;
  if (!name.endsWith(suffix)) return undefined;
  const label = name.slice(0, -suffix.length);
  return TENANT_SLUG.test(label) ? label : undefined;
}

/** The token of `Authorization: Bearer <token>`, or undefined for anything else. */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer +([^\s]+) *$/i.exec(header);
  return match?.[1];
}
