/**
 * IP addresses as bytes for the SSRF guard: strict literals (what resolvers return), the
 * legacy inet_aton spellings of IPv4 (`0x7f.1`, `2130706433`, `0177.0.0.1`) that URL
 * parsers and libc still accept, and one canonical text form for refusal messages.
 */
import { isIPv6 } from 'node:net';

/** 4 bytes (IPv4) or 16 bytes (IPv6), network order. */
export type IpBytes = Uint8Array;

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const DOTTED_QUAD = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);

/** Plain dotted decimal, no leading zeros: the only IPv4 form a resolver returns. */
export function parseIpv4Strict(text: string): IpBytes | null {
  return DOTTED_QUAD.test(text) ? Uint8Array.from(text.split('.'), Number) : null;
}

/** Whether a host name would be read as an IPv4 number (WHATWG "ends in a number"). */
export function endsInNumber(host: string): boolean {
  const labels = host.split('.');
  if (labels.length > 1 && labels.at(-1) === '') labels.pop();
  return /^(?:0x[0-9a-f]*|\d+)$/i.test(labels.at(-1) ?? '');
}

/**
 * inet_aton / WHATWG IPv4: one to four parts, each decimal, `0x` hex or `0` octal, the last
 * part filling the bytes left (`127.1` is 127.0.0.1, `2130706433` too). Null when not one.
 */
export function parseIpv4Loose(text: string): IpBytes | null {
  const parts = text.split('.');
  if (parts.length > 1 && parts.at(-1) === '') parts.pop();
  if (parts.length > 4) return null;
  const values = parts.map(parseNumberPart);
  const last = values.pop();
  if (last === undefined || last === null) return null;
  let n = last;
  for (const [i, v] of values.entries()) {
    if (v === null || v > 255n) return null;
    n += v << BigInt(8 * (3 - i));
  }
  if (last >= 1n << BigInt(8 * (4 - values.length))) return null;
  return Uint8Array.from([24n, 16n, 8n, 0n], (shift) => Number((n >> shift) & 255n));
}

function parseNumberPart(part: string): bigint | null {
  const p = part.toLowerCase();
  if (/^0x[0-9a-f]*$/.test(p)) return p === '0x' ? 0n : BigInt(p);
  if (/^0[0-7]*$/.test(p)) return p === '0' ? 0n : BigInt(`0o${p.slice(1)}`);
  if (/^[1-9]\d*$/.test(p)) return BigInt(p);
  return null;
}

/** IPv6, bracketed or not, with an optional embedded dotted IPv4 tail; a zone id is dropped. */
export function parseIpv6(text: string): IpBytes | null {
  let s = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (!isIPv6(s)) return null;
  let v4: IpBytes | null = null;
  const tailStart = s.lastIndexOf(':') + 1;
  if (s.includes('.', tailStart)) {
    v4 = parseIpv4Strict(s.slice(tailStart));
    if (!v4) return null;
    s = `${s.slice(0, tailStart)}0:0`;
  }
  const [head = '', tail] = s.split('::');
  const words = (part: string) => (part === '' ? [] : part.split(':').map((w) => parseInt(w, 16)));
  const front = words(head);
  const back = tail === undefined ? [] : words(tail);
  const zeros = tail === undefined ? 0 : 8 - front.length - back.length;
  const all = [...front, ...new Array<number>(zeros).fill(0), ...back];
  if (all.length !== 8) return null;
  const bytes = new Uint8Array(16);
  all.forEach((w, i) => bytes.set([w >> 8, w & 255], 2 * i));
  if (v4) bytes.set(v4, 12);
  return bytes;
}

/** A strict IPv4 or an IPv6 literal, as resolvers and sockets report them. */
export function parseIpLiteral(text: string): IpBytes | null {
  return parseIpv4Strict(text) ?? parseIpv6(text);
}

/** Dotted decimal, or RFC 5952 style IPv6 in hex words (`::ffff:7f00:1`, as WHATWG URL writes it). */
export function formatIp(bytes: IpBytes): string {
  if (bytes.length === 4) return bytes.join('.');
  const words = Array.from({ length: 8 }, (_, i) => ((bytes[2 * i] ?? 0) << 8) | (bytes[2 * i + 1] ?? 0));
  let best = { start: -1, len: 0 };
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && words[j] === 0) j += 1;
    if (j - i > best.len) best = { start: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = (ws: number[]) => ws.map((w) => w.toString(16)).join(':');
  if (best.len < 2) return hex(words);
  return `${hex(words.slice(0, best.start))}::${hex(words.slice(best.start + best.len))}`;
}

/** The IPv4 address an IPv4-mapped IPv6 address stands for, else the address itself. */
export function unmapIpv4(bytes: IpBytes): IpBytes {
  const mapped =
    bytes.length === 16 &&
    bytes.subarray(0, 10).every((b) => b === 0) &&
    bytes[10] === 0xff &&
    bytes[11] === 0xff;
  return mapped ? bytes.slice(12) : bytes;
}

/** Whether two address strings name the same endpoint (`::ffff:127.0.0.1` is `127.0.0.1`). */
export function sameAddress(a: string | undefined, b: string): boolean {
  const x = a === undefined ? null : parseIpLiteral(a);
  const y = parseIpLiteral(b);
  if (!x || !y) return false;
  const [u, v] = [unmapIpv4(x), unmapIpv4(y)];
  return u.length === v.length && u.every((byte, i) => byte === v[i]);
}
