/**
 * What a URL's host is, for the SSRF guard: an IP address in whatever spelling, or a
 * name, and whether the name itself is one that only ever points inside (`localhost`,
 * `*.internal`, metadata services), whatever it resolves to.
 */
import { endsInNumber, IpBytes, parseIpv4Loose, parseIpv6 } from './ip-address';

export type ParsedHost =
  { kind: 'ip'; address: IpBytes } | { kind: 'name'; name: string } | { kind: 'invalid'; reason: string };

/** Takes `URL.hostname` (IPv6 bracketed) or undici's connect hostname (IPv6 bare). */
export function parseHost(hostname: string): ParsedHost {
  const host = hostname.toLowerCase();
  if (host.startsWith('[') || host.includes(':')) {
    const address = parseIpv6(host);
    return address
      ? { kind: 'ip', address }
      : { kind: 'invalid', reason: `host ${hostname} is not a valid IPv6 address` };
  }
  // A numeric last label makes the whole host an IPv4 number, as URL parsers and libc read it.
  if (endsInNumber(host)) {
    const address = parseIpv4Loose(host);
    return address
      ? { kind: 'ip', address }
      : { kind: 'invalid', reason: `host ${hostname} is not a valid IPv4 address` };
  }
  // `localhost.` is `localhost`: the root label changes nothing about where it points.
  const name = host.replace(/\.+$/, '');
  if (name === '' || name.split('.').includes('')) {
    return { kind: 'invalid', reason: `host ${JSON.stringify(hostname)} is not a valid name` };
  }
  return { kind: 'name', name };
}

/** Null when the name may be resolved and dialled, else why not (one sentence). */
export function nameRefusal(name: string): string | null {
  const labels = name.split('.');
  const last = labels.at(-1);
  if (last === 'localhost') return `host ${name} is a loopback name (localhost)`;
  if (labels[0] === 'metadata') return `host ${name} looks like a cloud metadata service`;
  if (last === 'internal') return `host ${name} is an internal-only name (.internal)`;
  return null;
}
