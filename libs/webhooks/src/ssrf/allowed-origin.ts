/**
 * Exact origins the SSRF guard lets through (`HERALD_WEBHOOK_ALLOW_ORIGINS`): one scheme
 * (https), one host and one port each, so a dev or test receiver on loopback is reachable
 * without opening every port of its address. An IP origin matches that address only (not
 * its IPv4-mapped or other spellings of another origin); a name origin matches that name
 * only, and is trusted to resolve wherever it points.
 */
import { endsInNumber, IpBytes, parseIpLiteral } from './ip-address';

export type AllowedOrigin =
  | { kind: 'ip'; address: IpBytes; port: number; text: string }
  | { kind: 'name'; name: string; port: number; text: string };

const ORIGIN = /^https:\/\/(\[[0-9a-f:.]+\]|[a-z0-9.-]+):(\d{1,5})\/?$/;
const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** `https://127.0.0.1:8443`, `https://[::1]:8443`, `https://receiver:8443`. Throws when malformed. */
export function parseAllowedOrigin(raw: string): AllowedOrigin {
  const text = raw.trim().toLowerCase();
  const m = ORIGIN.exec(text);
  const port = Number(m?.[2]);
  const host = m?.[1] ?? '';
  const invalid = () =>
    new Error(`invalid origin ${JSON.stringify(raw)} (want https://<IP or host name>:<port>)`);
  if (!m || !(port >= 1 && port <= 65535)) throw invalid();
  if (host.startsWith('[')) {
    const address = parseIpLiteral(host.slice(1, -1));
    if (!address || address.length !== 16) throw invalid();
    return { kind: 'ip', address, port, text: `https://${host}:${port}` };
  }
  const address = parseIpLiteral(host);
  if (address) return { kind: 'ip', address, port, text: `https://${host}:${port}` };
  const labels = host.split('.');
  // A numeric last label would be read as an IPv4 number (`127.1`, `0x7f000001`): only plain dotted quads are addresses here.
  if (host.length > 253 || !labels.every((l) => LABEL.test(l)) || endsInNumber(host)) {
    throw invalid();
  }
  return { kind: 'name', name: host, port, text: `https://${host}:${port}` };
}

/** The first allowed origin that is exactly this host (an IP or a name, as parsed) and port. */
export function matchOrigin(
  origins: readonly AllowedOrigin[],
  host: { kind: 'ip'; address: IpBytes } | { kind: 'name'; name: string },
  port: number,
): AllowedOrigin | undefined {
  return origins.find((o) => {
    if (o.port !== port) return false;
    if (o.kind === 'name') return host.kind === 'name' && host.name === o.name;
    return (
      host.kind === 'ip' &&
      host.address.length === o.address.length &&
      host.address.every((b, i) => b === o.address[i])
    );
  });
}

/** The port a URL or a connect request names, or the https default. */
export function effectivePort(port: string | number | undefined): number {
  const n = Number(port);
  return Number.isInteger(n) && n > 0 ? n : 443;
}
